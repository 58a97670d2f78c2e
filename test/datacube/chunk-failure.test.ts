/**
 * A chunk that fails in one branch of a node with two inputs (mask, merge) must not leave the other branch running:
 * the plan's next chunk on the same thread reuses the same arena (reducer state, SIMD memories, read buffers).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BufferArena } from '../../src/datacube/arena.ts';
import { chunkSource, type LoadReader } from '../../src/datacube/chunk-eval.ts';
import { createKernelProvider } from '../../src/datacube/kernel-provider.ts';
import type { Plane } from '../../src/datacube/kernels/values.ts';
import type { CallbackSpec, CubeNode } from '../../src/datacube/types.ts';
import type { Grid } from '../../src/raster/grid/types.ts';

const W = 24;
const H = 10;
const T = 12;
const GRID: Grid = { crs: { proj4: '+proj=longlat +datum=WGS84 +no_defs' }, transform: [1, 0, 10, 0, -1, 50], width: W, height: H };
const load = (collection: string): Extract<CubeNode, { op: 'load' }> => ({
  op: 'load',
  collection,
  grid: GRID,
  bands: [{ name: 'b', asset: 'b', dtype: 'uint8', nodata: 0 }],
  steps: Array.from({ length: T }, (_, t) => ({ label: `2023-08-${String(t + 1).padStart(2, '0')}T00:00:00Z`, items: [] })),
});
const sum: CallbackSpec = { graph: { r: { process_id: 'sum', arguments: { data: { from_parameter: 'data' } }, result: true } } as CallbackSpec['graph'], parameterNames: ['data'] };
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** uint8 samples (0: no-data) per step; the mask collection fails while `failing` says so. */
function reader(failing: { on: boolean }): LoadReader {
  const raw = (step: number, n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + step * 13) % 256);
  return {
    async read(node, _step, _band, target) {
      await tick();
      if (node.collection === 'mask' && failing.on) throw new Error('the mask could not be read');
      const n = target.width * target.height;
      return { data: new Float64Array(n), valid: null };
    },
    async readRaw(node, step, _band, target) {
      await tick();
      if (node.collection === 'mask' && failing.on && step === 2) throw new Error('the mask could not be read');
      return { data: raw(step, target.width * target.height), nodata: 0 };
    },
  };
}

async function chunk(node: CubeNode, arena: BufferArena, failing: { on: boolean }): Promise<Plane> {
  const deps = { kernels: createKernelProvider(), loads: reader(failing), arena };
  const p = await chunkSource(node, GRID, { col: 0, row: 0, width: W, height: H }, deps).plane(0, 0, new AbortController().signal);
  return { data: p.data.slice(), valid: p.valid && p.valid.slice() };
}

/** A chunk of `node` fails on a read; the plan's next chunk on the same arena equals one computed on a fresh arena. */
async function assertNextChunkUnaffected(node: CubeNode): Promise<void> {
  const expected = await chunk(node, new BufferArena(), { on: false });
  const arena = new BufferArena();
  const failing = { on: true };
  await assert.rejects(chunk(node, arena, failing), /could not be read/);
  failing.on = false;
  assert.deepEqual(await chunk(node, arena, failing), expected);
}

test('a chunk failing in one input of a mask leaves nothing running into the next chunk of the plan', async () => {
  const node: CubeNode = { op: 'mask', input: { op: 'reduce_time', input: load('data'), callback: sum }, mask: load('mask'), replacement: null, maskHasTime: false, maskHasBands: false };
  await assertNextChunkUnaffected(node);
});

test('a chunk failing in one input of a merge leaves nothing running into the next chunk of the plan', async () => {
  const add: CallbackSpec = { graph: { r: { process_id: 'add', arguments: { x: { from_parameter: 'x' }, y: { from_parameter: 'y' } }, result: true } } as CallbackSpec['graph'], parameterNames: ['x', 'y'] };
  const node: CubeNode = {
    op: 'merge',
    a: { op: 'reduce_time', input: load('data'), callback: sum },
    b: { op: 'reduce_time', input: load('mask'), callback: { ...sum, graph: { r: { process_id: 'max', arguments: { data: { from_parameter: 'data' } }, result: true } } as CallbackSpec['graph'] } },
    bandMap: [{ from: 'both', a: 0, b: 0 }],
    timeMap: [{ a: 0, b: 0 }],
    resolver: add,
  };
  await assertNextChunkUnaffected(node);
});

test('a reduction stopped by a failure elsewhere in its chunk leaves none of its reads running', async () => {
  const node: CubeNode = { op: 'mask', input: { op: 'reduce_time', input: load('data'), callback: sum }, mask: load('mask'), replacement: null, maskHasTime: false, maskHasBands: false };
  let active = 0;
  const failing = { on: true };
  const base = reader(failing);
  const counted: LoadReader = {
    read: base.read,
    async readRaw(...args) {
      active++;
      try {
        // a read into the node's buffers (see reduceFused), a few ticks long
        for (let k = 0; k < 3; k++) await tick();
        return await base.readRaw!(...args);
      } finally {
        active--;
      }
    },
  };
  const deps = { kernels: createKernelProvider(), loads: counted, arena: new BufferArena() };
  await assert.rejects(chunkSource(node, GRID, { col: 0, row: 0, width: W, height: H }, deps).plane(0, 0, new AbortController().signal), /could not be read/);
  assert.equal(active, 0, 'reads still running after the chunk failed');
});
