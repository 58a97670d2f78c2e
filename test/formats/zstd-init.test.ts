/**
 * The zstd WASM encoder must be initialised once per process: a second init() leaves the library's cached malloc
 * on the old instance and breaks every later compress. Our writers must not re-initialise it when another
 * module (e.g. the COG writer) already did.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compress, decompress, init } from '@bokuweb/zstd-wasm';
import { createChunkEncoder } from '../../src/formats/zarr/codecs.ts';

test('after a foreign init() and heap growth, our encoder still compresses large chunks', async () => {
  await init(); // as another module would
  const big = new Uint8Array(48 << 20);
  for (let i = 0; i < big.length; i += 997) big[i] = i % 251;
  assert.ok(compress(big, 1).length > 0); // grows the heap and binds malloc
  const encoder = await createChunkEncoder({ codec: 'zstd' }, 2);
  // A re-instantiation would land asynchronously, so keep compressing across event-loop turns.
  const file = await import('node:fs/promises');
  for (let i = 0; i < 5; i++) {
    await file.readFile(new URL(import.meta.url));
    const packed = encoder.encode(big, 1);
    assert.equal(decompress(packed).length, big.length);
  }
});
