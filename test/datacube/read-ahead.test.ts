/**
 * A fused temporal reduction reads steps ahead of the one it computes: up to READ_AHEAD_MAX where reads answer late
 * (remote assets), few where they keep up. The reads overlap, and none of them writes into the buffer of a step still
 * being read or computed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BufferArena } from '../../src/datacube/arena.ts';
import { chunkSource, type LoadReader } from '../../src/datacube/chunk-eval.ts';
import { READ_AHEAD_MAX, READ_AHEAD_START } from '../../src/datacube/fused-time.ts';
import { createKernelProvider } from '../../src/datacube/kernel-provider.ts';
import type { CallbackSpec, CubeNode } from '../../src/datacube/types.ts';
import type { Grid } from '../../src/raster/grid/types.ts';

const W = 16;
const H = 8;
const T = 3 * READ_AHEAD_MAX + 1;
const GRID: Grid = { crs: { proj4: '+proj=longlat +datum=WGS84 +no_defs' }, transform: [1, 0, 10, 0, -1, 50], width: W, height: H };
const node: CubeNode = {
  op: 'reduce_time',
  input: {
    op: 'load',
    collection: 'c',
    grid: GRID,
    bands: [{ name: 'b', asset: 'b', dtype: 'uint8', nodata: 0 }],
    steps: Array.from({ length: T }, (_, t) => ({ label: `2023-08-${String(t + 1).padStart(2, '0')}T00:00:00Z`, items: [] })),
  },
  callback: { graph: { r: { process_id: 'sum', arguments: { data: { from_parameter: 'data' } }, result: true } } as CallbackSpec['graph'], parameterNames: ['data'] },
};
/** Step t's sample at pixel i; 0 is no-data. */
const sample = (t: number, i: number) => (i * 7 + t * 13) % 11;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The per-pixel sums of the steps' valid samples, as the reduction must give them. */
function assertSums(plane: { data: ArrayLike<number>; valid: ArrayLike<number> | null }) {
  for (let i = 0; i < W * H; i++) {
    let sum = 0;
    let valid = false;
    for (let t = 0; t < T; t++) {
      const v = sample(t, i);
      if (v !== 0) (sum += v), (valid = true);
    }
    assert.equal(plane.valid === null || plane.valid[i] === 1, valid, `validity of pixel ${i}`);
    if (valid) assert.equal(plane.data[i], sum, `sum at pixel ${i}`);
  }
}

/** A load reader writing step samples into the slot's buffer through `write`, counting reads in flight and slots. */
function countingReader(write: (buf: Uint8Array, step: number) => Promise<void>) {
  const seen = { active: 0, most: 0, slots: new Set<string>() };
  const loads: LoadReader = {
    read: () => Promise.reject(new Error('planes are not expected here')),
    async readRaw(_node, step, _band, target, _signal, slot) {
      seen.active++;
      seen.most = Math.max(seen.most, seen.active);
      seen.slots.add(slot!.key);
      try {
        const buf = slot!.arena.scratch(`${slot!.key}|raw`, target.width * target.height, (len) => new Uint8Array(len));
        await write(buf, step);
        return { data: buf, nodata: 0 };
      } finally {
        seen.active--;
      }
    },
  };
  return { loads, seen };
}

const reduce = (loads: LoadReader) =>
  chunkSource(node, GRID, { col: 0, row: 0, width: W, height: H }, { kernels: createKernelProvider(), loads, arena: new BufferArena() }).plane(0, 0, new AbortController().signal);

test('reads answered late run ahead of the reduction, each into a buffer no other step is using', async () => {
  // as the load reader does: into the slot's buffer, written over a while (the I/O), answered late and out of order
  const { loads, seen } = countingReader(async (buf, step) => {
    for (let i = 0; i < buf.length; i++) buf[i] = sample(step, i);
    await sleep(2 + ((step * 5) % 7));
    for (let i = buf.length >> 1; i < buf.length; i++) buf[i] = sample(step, i);
  });
  const plane = await reduce(loads);
  // the most in flight depends on how the reads' answers interleave; it grows far beyond the start, never beyond the most
  assert.ok(seen.most >= READ_AHEAD_MAX / 2 && seen.most <= READ_AHEAD_MAX, `reads in flight at once: ${seen.most}`);
  assert.ok(seen.slots.size <= READ_AHEAD_MAX + 1, `buffer sets: ${seen.slots.size}`);
  assert.equal(seen.active, 0);
  assertSums(plane);
});

test('reads that keep up stay few steps ahead, in few buffers', async () => {
  const { loads, seen } = countingReader(async (buf, step) => {
    await Promise.resolve();
    for (let i = 0; i < buf.length; i++) buf[i] = sample(step, i);
  });
  const plane = await reduce(loads);
  assert.ok(seen.most <= READ_AHEAD_START, `reads in flight at once: ${seen.most}`);
  assert.ok(seen.slots.size <= READ_AHEAD_START + 1, `buffer sets: ${seen.slots.size}`);
  assertSums(plane);
});
