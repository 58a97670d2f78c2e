/** Assertions shared by the catalog source tests. */
import assert from 'node:assert/strict';
import { OpenEOError } from '../../src/errors.ts';
import type { ItemQuery, StacItem } from '../../src/catalog/types.ts';

/** Every item a search yields, in order. */
export async function collect(source: { search(q: ItemQuery, s?: AbortSignal): AsyncIterable<StacItem> }, q: ItemQuery = {}, signal?: AbortSignal) {
  const out: StacItem[] = [];
  for await (const i of source.search(q, signal)) out.push(i);
  return out;
}

/** The promise rejects with an OpenEOError of this code (and a message matching `text`). */
export async function rejectsWith(p: Promise<unknown>, code: string, text?: RegExp) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof OpenEOError, `expected OpenEOError, got ${e}`);
    assert.equal(e.code, code);
    if (text) assert.match(e.message, text);
    return true;
  });
}
