/**
 * Narrow reducer state against the wide one, at random: reducers kept per arena key across chunks of changing size
 * (edge chunks share the key's scratch arrays), steps fused through callbacks of various value ranges, plane
 * steps and no-data steps mixed in, finalized into every output type. The reference runs the same steps on a fresh
 * reducer through its wide state only.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createKernelProvider } from '../../src/datacube/kernel-provider.ts';
import type { TimeReducer } from '../../src/datacube/chunk-eval.ts';
import type { CallbackSpec } from '../../src/datacube/types.ts';
import { BufferArena } from '../../src/datacube/arena.ts';
import { coverageSpans, emptyCoverage, markRect, type Coverage } from '../../src/datacube/kernels/coverage.ts';
import { allocBuffers, planeFromArray, prepareBuffers, writePlane, type Plane } from '../../src/datacube/kernels/values.ts';
import type { StateArrays } from '../../src/datacube/kernels/reducer-base.ts';
import { TYPED_ARRAY, type RasterDataType } from '../../src/raster/data-types.ts';
import { rng } from './oracle.ts';

const cb = (graph: object): CallbackSpec => ({ graph: graph as CallbackSpec['graph'], parameterNames: ['x'] });
const reducerCb = (id: string): CallbackSpec => cb({ r: { process_id: id, arguments: { data: { from_parameter: 'data' } }, result: true } });
const APPLIES: CallbackSpec[] = [
  // x (0..254 with nodata 255)
  cb({ m: { process_id: 'multiply', arguments: { x: { from_parameter: 'x' }, y: 1 }, result: true } }),
  // 0/1
  cb({ m: { process_id: 'gt', arguments: { x: { from_parameter: 'x' }, y: 100 }, result: true } }),
  // up to 254 * 3
  cb({ m: { process_id: 'multiply', arguments: { x: { from_parameter: 'x' }, y: 3 }, result: true } }),
  // non-integer
  cb({ m: { process_id: 'multiply', arguments: { x: { from_parameter: 'x' }, y: 0.37 }, result: true } }),
  // negative
  cb({ m: { process_id: 'subtract', arguments: { x: { from_parameter: 'x' }, y: 7 }, result: true } }),
];
const DTYPES: RasterDataType[] = ['uint8', 'int8', 'uint16', 'int16', 'int32', 'float32', 'float64'];

interface Step {
  kind: 'fused' | 'plane' | 'nodata';
  apply: CallbackSpec;
  cover: Coverage | undefined;
  raw: Uint8Array;
}

function makeSteps(r: () => number, w: number, h: number, count: number): Step[] {
  const n = w * h;
  const out: Step[] = [];
  const applyMix = r() < 0.5 ? APPLIES.slice(0, 2) : APPLIES;
  for (let s = 0; s < count; s++) {
    const x = r();
    const kind = x < 0.8 ? 'fused' : x < 0.9 ? 'plane' : 'nodata';
    let cover: Coverage | undefined;
    if (r() < 0.7) {
      cover = emptyCoverage(w, h, 8);
      for (let k = 0, m = Math.floor(r() * 3); k < m; k++) markRect(cover, Math.floor(r() * w), Math.floor(r() * h), 1 + Math.floor(r() * w), 1 + Math.floor(r() * h));
    }
    const raw = new Uint8Array(n);
    for (let i = 0; i < n; i++) raw[i] = r() < 0.3 ? 255 : Math.floor(r() * 256);
    if (cover) {
      // no-data outside the coverage, as a reader that reports it guarantees for the dense plane
      const dense = new Uint8Array(n).fill(255);
      const sp = coverageSpans(cover);
      for (let k = 0; k < sp.length; k += 2) dense.set(raw.subarray(sp[k], sp[k + 1]), sp[k]);
      raw.set(dense);
    }
    out.push({ kind, apply: applyMix[Math.floor(r() * applyMix.length)], cover, raw });
  }
  return out;
}

let narrowUsed = 0;

async function run(kernels: ReturnType<typeof createKernelProvider>, red: TimeReducer, steps: Step[], n: number, narrow: boolean): Promise<void> {
  for (const s of steps) {
    const empty = s.cover && coverageSpans(s.cover).length === 0;
    if (s.kind === 'nodata' || empty) {
      red.addNodata();
      continue;
    }
    const fusion = red.fusion!();
    const loop = s.kind === 'fused' && fusion ? kernels.fusedStep!(s.apply, fusion, 255, 'Uint8Array') : undefined;
    if (loop && fusion) {
      const state = narrow ? red.fusionFor!(loop.range, steps.length)! : fusion;
      if (!(state.acc instanceof Float64Array)) narrowUsed++;
      loop(s.cover ? coverageSpans(s.cover) : Int32Array.of(0, n), s.raw, state.acc, state.counts);
      red.addFused!(s.cover);
      continue;
    }
    const k = kernels.apply(s.apply, n);
    const plane = planeFromArray(s.raw, { nodata: 255 });
    red.add((await k(s.cover ? { ...plane, cover: s.cover } : plane, allocBuffers(n))) as Plane);
  }
}

test('narrow state writes the bytes of the wide state, chunk after chunk on shared arena arrays', async () => {
  const r = rng(20261125);
  const kernels = createKernelProvider();
  const arena = new BufferArena();
  const sizes: [number, number][] = [[40, 30], [23, 30], [40, 17], [9, 5]];
  for (const kind of ['max', 'min', 'sum', 'mean']) {
    const reducer = reducerCb(kind);
    const key = `k-${kind}`;
    for (let chunk = 0; chunk < 60; chunk++) {
      const [w, h] = sizes[Math.floor(r() * sizes.length)];
      const n = w * h;
      const count = r() < 0.1 ? 256 + Math.floor(r() * 4) : 1 + Math.floor(r() * 12);
      const stepList = makeSteps(r, w, h, count);
      // as chunk-eval's timeReducer: one kept reducer per key and size, state arrays by name under the key
      const kept = arena.take(key, n, () => ({}) as { r?: TimeReducer });
      let red: TimeReducer;
      if (kept.r) {
        kept.r.reset!();
        red = kept.r;
      } else {
        const state: StateArrays = {
          f64: (name, len) => arena.scratch(`${key}|${name}`, len, (l) => new Float64Array(l)),
          u32: (name, len) => arena.scratch(`${key}|${name}`, len, (l) => new Uint32Array(l)),
          u16: (name, len) => arena.scratch(`${key}|${name}`, len, (l) => new Uint16Array(l)),
          u8: (name, len) => arena.scratch(`${key}|${name}`, len, (l) => new Uint8Array(l)),
          keep: (name, fits, make) => arena.keep(`${key}|${name}`, fits, make),
        };
        red = kernels.timeReducer(reducer, n, count, undefined, state);
        kept.r = red;
      }
      await run(kernels, red, stepList, n, true);
      const ref = kernels.timeReducer(reducer, n, count);
      await run(kernels, ref, stepList, n, false);
      const dtype = DTYPES[Math.floor(r() * DTYPES.length)];
      const nodata = r() < 0.5 ? null : dtype.startsWith('float') ? -1 : 3;
      const expected = new TYPED_ARRAY[dtype](n).fill(77);
      if (!ref.resultInto!({ dtype, out: expected, opts: { nodata } })) writePlane(await ref.result(), dtype, expected, { nodata });
      const got = new TYPED_ARRAY[dtype](n).fill(77);
      if (r() < 0.3) writePlane(await red.result(), dtype, got, { nodata });
      else if (!red.resultInto!({ dtype, out: got, opts: { nodata } })) writePlane(await red.result(), dtype, got, { nodata });
      assert.deepEqual(got, expected, `${kind}, chunk ${chunk} (${w}x${h}, ${count} steps) into ${dtype}`);
    }
  }
  assert.ok(narrowUsed > 100, `narrow state used in ${narrowUsed} steps`);
});
