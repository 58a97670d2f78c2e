/**
 * The behaviour every ObjectStore must have, run against each implementation (local-store.test.ts,
 * s3-store.test.ts). `open` returns an empty store; `close` removes whatever the suite left.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OpenEOError } from '../../src/errors.ts';
import type { ObjectStore } from '../../src/storage/index.ts';

export interface ContractTarget {
  open(): Promise<ObjectStore>;
  close(store: ObjectStore): Promise<void>;
}

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

async function keysOf(store: ObjectStore, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of store.list(prefix)) out.push(e.key);
  return out.sort();
}

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString();
}

/** Deterministic bytes that differ at every position within a part, so misplaced parts are noticed. */
export function pattern(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export async function* inChunks(bytes: Uint8Array, chunk: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.byteLength; at += chunk) yield bytes.subarray(at, at + chunk);
}

/** Puts `n` one-byte objects under `prefix` with bounded concurrency (small-object PUTs are slow on Swift). */
export async function putMany(store: ObjectStore, prefix: string, n: number, concurrency = 32): Promise<string[]> {
  const keys = Array.from({ length: n }, (_, i) => `${prefix}k${String(i).padStart(5, '0')}`);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < keys.length) await store.put(keys[next++], new Uint8Array([next & 0xff]));
    }),
  );
  return keys;
}

export function storeContract(name: string, target: ContractTarget): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let store: ObjectStore;
    before(async () => {
      store = await target.open();
    });
    after(async () => {
      if (store) await target.close(store);
    });

    test('put, get, head round trip; missing keys are undefined', async () => {
      await store.put('rt/a.txt', text('hello world'), { contentType: 'text/plain' });
      assert.equal(str(await store.get('rt/a.txt')), 'hello world');
      const info = await store.head('rt/a.txt');
      assert.equal(info?.size, 11);
      assert.ok(info?.lastModified instanceof Date);
      assert.equal(await store.get('rt/missing'), undefined);
      assert.equal(await store.head('rt/missing'), undefined);
      assert.equal(await store.getStream('rt/missing'), undefined);
      // A "folder" is not an object.
      assert.equal(await store.get('rt'), undefined);
      await store.put('rt/a.txt', text('replaced'));
      assert.equal(str(await store.get('rt/a.txt')), 'replaced');
      await store.put('rt/empty', new Uint8Array(0));
      assert.deepEqual(await store.get('rt/empty'), new Uint8Array(0));
      assert.equal((await store.head('rt/empty'))?.size, 0);
    });

    test('ranged reads are clamped to the object', async () => {
      await store.put('range/x', text('0123456789'));
      assert.equal(str(await store.get('range/x', { range: { offset: 2, length: 3 } })), '234');
      assert.equal(str(await store.get('range/x', { range: { offset: 8, length: 100 } })), '89');
      assert.equal(str(await store.get('range/x', { range: { offset: 10, length: 5 } })), '');
      assert.equal(str(await store.get('range/x', { range: { offset: 50, length: 5 } })), '');
      assert.equal(str(await store.get('range/x', { range: { offset: 3, length: 0 } })), '');
      assert.equal(str(await store.get('range/x', { range: { suffixLength: 4 } })), '6789');
      assert.equal(str(await store.get('range/x', { range: { suffixLength: 40 } })), '0123456789');
      assert.equal(await store.get('range/none', { range: { offset: 0, length: 4 } }), undefined);
    });

    test('getStream serves whole objects and ranges with their position and size', async () => {
      await store.put('stream/x', text('abcdefghij'));
      const whole = await store.getStream('stream/x');
      assert.ok(whole);
      assert.deepEqual([whole.offset, whole.length, whole.size], [0, 10, 10]);
      assert.equal(await readAll(whole.body), 'abcdefghij');
      const part = await store.getStream('stream/x', { range: { offset: 3, length: 4 } });
      assert.ok(part);
      assert.deepEqual([part.offset, part.length, part.size], [3, 4, 10]);
      assert.equal(await readAll(part.body), 'defg');
      const past = await store.getStream('stream/x', { range: { offset: 12, length: 4 } });
      assert.ok(past);
      assert.deepEqual([past.length, past.size], [0, 10]);
      assert.equal(await readAll(past.body), '');
    });

    test('streamed bodies are written whole', async () => {
      const bytes = pattern(300_000, 7);
      await store.put('streamed/obj', inChunks(bytes, 65_536 + 3));
      assert.deepEqual(await store.get('streamed/obj'), bytes);
      await store.put('streamed/empty', inChunks(new Uint8Array(0), 10));
      assert.equal((await store.head('streamed/empty'))?.size, 0);
    });

    test('list matches plain string prefixes and reports sizes', async () => {
      for (const k of ['ls/a/1', 'ls/a/2', 'ls/ab/3', 'ls/b/4', 'ls/c']) await store.put(k, text(k));
      assert.deepEqual(await keysOf(store, 'ls/a/'), ['ls/a/1', 'ls/a/2']);
      assert.deepEqual(await keysOf(store, 'ls/a'), ['ls/a/1', 'ls/a/2', 'ls/ab/3']);
      assert.deepEqual(await keysOf(store, 'ls/'), ['ls/a/1', 'ls/a/2', 'ls/ab/3', 'ls/b/4', 'ls/c']);
      assert.deepEqual(await keysOf(store, 'ls/zzz'), []);
      const sizes: Record<string, number> = {};
      for await (const e of store.list('ls/a/')) sizes[e.key] = e.size;
      assert.deepEqual(sizes, { 'ls/a/1': 6, 'ls/a/2': 6 });
    });

    test('delete and deletePrefix remove exactly what they name', async () => {
      for (const k of ['del/1/a', 'del/1/b/c', 'del/10/a', 'del/2']) await store.put(k, text('x'));
      await store.delete('del/2');
      await store.delete('del/2'); // missing: not an error
      assert.equal(await store.head('del/2'), undefined);
      assert.equal(await store.deletePrefix('del/1/'), 2);
      assert.deepEqual(await keysOf(store, 'del/'), ['del/10/a']);
      assert.equal(await store.deletePrefix('del/nothing/'), 0);
    });

    test('invalid keys are refused, never resolved', async () => {
      for (const bad of ['', '/abs', '../up', 'a/../../b', 'a//b', 'a/./b', 'a/', 'a\\b', 'nul\u0000']) {
        await assert.rejects(store.put(bad, text('x')), (e: unknown) => e instanceof OpenEOError && e.code === 'StorageFailure', bad);
        await assert.rejects(store.get(bad), OpenEOError, bad);
      }
      await assert.rejects(async () => {
        for await (const _ of store.list('../')) void _;
      }, OpenEOError);
    });

    test('an aborted signal stops operations', async () => {
      const ac = new AbortController();
      ac.abort();
      await assert.rejects(store.get('rt/a.txt', {}, ac.signal), { name: 'AbortError' });
      await assert.rejects(store.put('abort/x', text('x'), {}, ac.signal), { name: 'AbortError' });
      assert.equal(await store.head('abort/x'), undefined);
    });

    test('more than 1000 keys: list pages through them and deletePrefix removes them all', async () => {
      const keys = await putMany(store, 'many/', 1003);
      await store.put('many-sibling', text('stays'));
      assert.deepEqual(await keysOf(store, 'many/'), keys);
      assert.equal(await store.deletePrefix('many/'), 1003);
      assert.deepEqual(await keysOf(store, 'many/'), []);
      assert.equal(str(await store.get('many-sibling')), 'stays');
    });
  });
}
