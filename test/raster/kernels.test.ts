import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blockBytesEqual, copyBlockRect, fillRect } from '../../src/raster/block-copy.ts';
import { ByteBudgetLru } from '../../src/raster/lru.ts';
import { swapBytes, undoHorizontalPredictor } from '../../src/raster/predictor.ts';

describe('raster kernels', () => {
  test('LRU evicts least recently used entries beyond the byte budget', () => {
    const lru = new ByteBudgetLru<string, number>(100);
    lru.set('a', 1, 40);
    lru.set('b', 2, 40);
    assert.equal(lru.get('a'), 1); // a is now the most recent
    lru.set('c', 3, 40);
    assert.deepEqual([lru.has('a'), lru.has('b'), lru.has('c')], [true, false, true]);
    assert.equal(lru.bytes, 80);
    lru.set('huge', 4, 101);
    assert.equal(lru.has('huge'), false);
    lru.set('a', 5, 10);
    assert.equal(lru.bytes, 50);
  });

  test('copyBlockRect copies one band of planar and interleaved blocks', () => {
    const block = Uint16Array.from({ length: 4 * 3 * 2 }, (_, i) => i); // 4 wide, 3 high, 2 samples
    const out = new Uint16Array(2 * 5).fill(9);
    copyBlockRect(block, 4, 2, 1, out, { bx: 1, by: 1, width: 2, height: 2, outStart: 1, outStride: 5 });
    assert.deepEqual([...out], [9, 11, 13, 9, 9, 9, 19, 21, 9, 9]);
    const single = Uint8Array.from({ length: 12 }, (_, i) => i);
    const o2 = new Uint8Array(4);
    copyBlockRect(single, 4, 1, 0, o2, { bx: 2, by: 1, width: 2, height: 2, outStart: 0, outStride: 2 });
    assert.deepEqual([...o2], [6, 7, 10, 11]);
  });

  test('fillRect and blockBytesEqual (valid region only)', () => {
    const a = new Uint16Array(12);
    fillRect(a, 1, 4, 2, 3, 500);
    assert.deepEqual([...a], [0, 500, 500, 0, 0, 500, 500, 0, 0, 500, 500, 0]);
    const b = new Uint8Array([255, 255, 0, 255, 255, 0]);
    const t = new Uint8Array(6).fill(255);
    assert.ok(blockBytesEqual(b, t, 3, 2, 2)); // the padding column is ignored
    assert.ok(!blockBytesEqual(b, t, 3, 3, 2));
    assert.ok(blockBytesEqual(t, t, 3, 3, 2));
  });

  test('the horizontal predictor is undone as the plain running sum per sample, for every word size and interleave', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0);
    for (const bps of [1, 2, 4]) {
      for (const samples of [1, 2, 3, 4]) {
        const width = 37;
        const rows = 5;
        const Words = bps === 1 ? Uint8Array : bps === 2 ? Uint16Array : Uint32Array;
        const stored = new Words(width * samples * rows).map(() => rnd());
        const expected = stored.slice();
        // the definition: each sample adds the same sample of the pixel to its left, wrapping at the word size
        for (let r = 0; r < rows; r++) {
          for (let i = r * width * samples + samples; i < (r + 1) * width * samples; i++) expected[i] = expected[i] + expected[i - samples];
        }
        const bytes = new Uint8Array(stored.buffer.slice(0));
        undoHorizontalPredictor(bytes, bps, width, rows, samples);
        assert.deepEqual(new Words(bytes.buffer), expected, `${bps * 8}-bit, ${samples} sample(s)`);
      }
    }
  });

  test('predictor and byte order helpers', () => {
    const rows = new Uint8Array([1, 1, 1, 254, 5, 0, 0, 0]);
    undoHorizontalPredictor(rows, 1, 4, 2, 1);
    assert.deepEqual([...rows], [1, 2, 3, 1, 5, 5, 5, 5]);
    const be = new Uint8Array([0x01, 0x02, 0x03, 0x04]);
    swapBytes(be, 2);
    assert.deepEqual([...be], [0x02, 0x01, 0x04, 0x03]);
    swapBytes(be, 4);
    assert.deepEqual([...be], [0x03, 0x04, 0x01, 0x02]);
  });
});
