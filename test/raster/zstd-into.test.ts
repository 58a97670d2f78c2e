/** ZSTD decoding into caller buffers (zstd-into.ts) against zstddec's own API, and its errors. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compress } from '@bokuweb/zstd-wasm';
import { ZSTDDecoder } from 'zstddec';
import { ensureZstd } from '../../src/formats/zstd.ts';
import { createZstdInto } from '../../src/raster/zstd-into.ts';

test('decodes into the given buffer exactly as zstddec does, again and again, growing its scratch memory', async () => {
  await ensureZstd();
  const into = createZstdInto();
  assert.ok(into, 'the WebAssembly module was found in the zstddec package (else every block is a fresh copy)');
  const reference = new ZSTDDecoder();
  await reference.init();
  for (const size of [1000, 262_144, 70_000, 1_048_576]) {
    const src = new Uint8Array(size);
    for (let i = 0; i < size; i++) src[i] = i % 7 === 0 ? (i * 31) & 255 : 255;
    const frame = compress(src, 3);
    const out = new Uint8Array(size).fill(3);
    assert.equal(into(frame, out), size);
    assert.deepEqual(out, src);
    assert.deepEqual(out, reference.decode(frame, size));
  }
});

test('a corrupt frame or a too small buffer is an error, not a short result', async () => {
  await ensureZstd();
  const into = createZstdInto()!;
  const frame = compress(new Uint8Array(5000).fill(9), 3);
  assert.throws(() => into(frame.subarray(0, frame.length - 3), new Uint8Array(5000)), /corrupt|larger/);
  assert.throws(() => into(frame, new Uint8Array(4000)), /corrupt|larger/);
  const garbage = Uint8Array.from({ length: 64 }, (_, i) => (i * 97) & 255);
  assert.throws(() => into(garbage, new Uint8Array(5000)), /corrupt|larger/);
});
