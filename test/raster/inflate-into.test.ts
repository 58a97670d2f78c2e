/** DEFLATE decoding into caller buffers (inflate-into.ts) against zlib's own inflateSync, and its errors. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateRawSync, deflateSync, inflateSync } from 'node:zlib';
import { createInflateInto } from '../../src/raster/inflate-into.ts';

const sample = (size: number, seed: number) => {
  const src = new Uint8Array(size);
  for (let i = 0; i < size; i++) src[i] = i % 5 === 0 ? (i * seed) & 255 : 255;
  return src;
};

test('decodes into the given buffer exactly as inflateSync does, stream after stream', () => {
  const into = createInflateInto();
  assert.ok(into, "zlib's stream handle is there on this Node (else every block is a fresh buffer)");
  for (const [size, level] of [[1000, 6], [262_144, 1], [70_000, 9], [1_048_576, 6], [262_144, 0]] as const) {
    const src = sample(size, size % 97);
    const stream = deflateSync(src, { level });
    const out = new Uint8Array(size).fill(3);
    assert.equal(into(stream, out), size);
    assert.deepEqual(out, src);
    assert.deepEqual(out, new Uint8Array(inflateSync(stream)));
  }
});

test('a corrupt, truncated or too long stream is an error, and the next stream decodes again', () => {
  const into = createInflateInto()!;
  const src = sample(5000, 13);
  const stream = deflateSync(src);
  // too long for the buffer: an error, not the first 4000 bytes
  assert.throws(() => into(stream, new Uint8Array(4000)), /larger than the block/);
  // truncated: zlib's unexpected end of file, not a short block
  assert.throws(() => into(stream.subarray(0, stream.length >> 1), new Uint8Array(5000)), /corrupt/);
  const garbage = Uint8Array.from({ length: 64 }, (_, i) => (i * 97) & 255);
  assert.throws(() => into(garbage, new Uint8Array(5000)), /corrupt/);
  // raw DEFLATE without the zlib header is not what TIFF stores
  assert.throws(() => into(deflateRawSync(src), new Uint8Array(5000)), /corrupt/);
  const out = new Uint8Array(5000);
  assert.equal(into(stream, out), 5000, 'a failed stream does not spoil the next one');
  assert.deepEqual(out, src);
});
