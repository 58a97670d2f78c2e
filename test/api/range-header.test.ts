/** Range headers of result downloads: single byte ranges are served, other units ignored (RFC 9110), bad ones refused. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRange } from '../../src/results/download.ts';

test('parses single byte ranges, ignores other units and multi-ranges, refuses malformed byte ranges', () => {
  assert.equal(parseRange(undefined), undefined);
  assert.deepEqual(parseRange('bytes=0-9'), { offset: 0, length: 10 });
  assert.deepEqual(parseRange('bytes=-5'), { suffixLength: 5 });
  assert.deepEqual(parseRange('bytes=7-'), { offset: 7, length: Number.MAX_SAFE_INTEGER - 7 });
  // a unit the server does not know: the whole object, not 416
  assert.equal(parseRange('items=0-1'), undefined);
  assert.equal(parseRange('pages=3'), undefined);
  assert.equal(parseRange('bytes=0-1,4-5'), undefined);
  assert.equal(parseRange('bytes=9-2'), 'invalid');
  assert.equal(parseRange('bytes=x-2'), 'invalid');
  assert.equal(parseRange('bytes=-'), 'invalid');
});
