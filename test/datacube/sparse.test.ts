/**
 * Sparse and fused evaluation against the plain dense path: planes with a coverage (garbage outside it, as the
 * load reader leaves it), reused buffers and reducers (reset between chunks), and the fused raw → callback →
 * reducer loop must give exactly what converting every pixel, running the callback on every pixel and adding
 * whole planes gives.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createKernelProvider, keepsNodata } from '../../src/datacube/kernel-provider.ts';
import type { TimeReducer } from '../../src/datacube/chunk-eval.ts';
import type { CallbackSpec } from '../../src/datacube/types.ts';
import {
  coverageIsEmpty, coverageSpans, coveredPixels, emptyCoverage, fillCoverageOutside, markRect, unionCoverage, type Coverage,
} from '../../src/datacube/kernels/coverage.ts';
import { allocBuffers, planeFromArray, prepareBuffers, writePlane, type Plane } from '../../src/datacube/kernels/values.ts';
import { compileCallback } from '../../src/datacube/kernels/compile.ts';
import { graphFromJson } from '../../src/datacube/callback-json.ts';
import { reducerStore as storeFor } from '../../src/datacube/kernels/fused-reduce.ts';
import { rng } from './oracle.ts';
import { TYPED_ARRAY, type RasterDataType } from '../../src/raster/data-types.ts';

const W = 150;
const H = 90;
const N = W * H;

const maskGraph = {
  is255: { process_id: 'eq', arguments: { x: { from_parameter: 'x' }, y: 255 } },
  is0: { process_id: 'eq', arguments: { x: { from_parameter: 'x' }, y: 0 } },
  either: { process_id: 'or', arguments: { x: { from_node: 'is255' }, y: { from_node: 'is0' } } },
  masked: { process_id: 'if', arguments: { value: { from_node: 'either' }, accept: null, reject: { from_parameter: 'x' } }, result: true },
};
const scaleGraph = { m: { process_id: 'multiply', arguments: { x: { from_parameter: 'x' }, y: 0.37 }, result: true } };
const nodataToZero = {
  n: { process_id: 'is_nodata', arguments: { x: { from_parameter: 'x' } } },
  r: { process_id: 'if', arguments: { value: { from_node: 'n' }, accept: 0, reject: { from_parameter: 'x' } }, result: true },
};
const cb = (graph: object): CallbackSpec => ({ graph: graph as CallbackSpec['graph'], parameterNames: ['x'] });
const reducerCb = (id: string, args: object = {}): CallbackSpec =>
  cb({ r: { process_id: id, arguments: { data: { from_parameter: 'data' }, ...args }, result: true } });

/** One step: raw uint8 samples (nodata 255) valid only inside a few random rectangles, garbage elsewhere. */
interface Step {
  cover: Coverage;
  /** garbage outside the coverage */
  sparse: Uint8Array;
  /** 255 outside the coverage */
  dense: Uint8Array;
}

function steps(seed: number, count: number): Step[] {
  const r = rng(seed);
  const out: Step[] = [];
  for (let s = 0; s < count; s++) {
    const cover = emptyCoverage(W, H);
    const rects = s === 3 ? 0 : 1 + Math.floor(r() * 3);
    for (let k = 0; k < rects; k++) markRect(cover, Math.floor(r() * W) - 20, Math.floor(r() * H) - 20, 10 + Math.floor(r() * 70), 10 + Math.floor(r() * 50));
    const sparse = new Uint8Array(N);
    for (let i = 0; i < N; i++) sparse[i] = r() < 0.3 ? 255 : r() < 0.2 ? 0 : Math.floor(r() * 256);
    // odd seeds: runs of equal samples as in real swaths (whole words of them are skipped by the byte lookup)
    if (seed % 2 === 1) for (let i = 0; i < N; ) i = fillRun(sparse, i, r);
    const dense = new Uint8Array(N).fill(255);
    const sp = coverageSpans(cover);
    for (let k = 0; k < sp.length; k += 2) dense.set(sparse.subarray(sp[k], sp[k + 1]), sp[k]);
    out.push({ cover, sparse, dense });
  }
  return out;
}

/** A run of 1..40 equal samples (mostly 0 or 255) from i on; returns where it ends. */
function fillRun(a: Uint8Array | Int8Array, i: number, r: () => number): number {
  const v = r() < 0.4 ? 255 : r() < 0.6 ? 0 : Math.floor(r() * 256);
  const end = Math.min(a.length, i + 1 + Math.floor(r() * 40));
  a.fill(v, i, end);
  return end;
}

function output(p: Plane): Float64Array {
  const out = new Float64Array(N);
  writePlane(p, 'float64', out, { nodata: -12345 });
  return out;
}

const denseReference = async (apply: CallbackSpec, reducer: CallbackSpec, stack: Step[]): Promise<Float64Array> => {
  const kernels = createKernelProvider();
  const k = kernels.apply(apply, N);
  const red = kernels.timeReducer(reducer, N, stack.length);
  for (const s of stack) red.add(await k(planeFromArray(s.dense, { nodata: 255 }), allocBuffers(N)));
  return output(await red.result());
};

describe('coverage', () => {
  test('spans list exactly the pixels of the flagged tiles, in order', () => {
    const c = emptyCoverage(W, H, 32);
    assert.equal(coverageIsEmpty(c), true);
    markRect(c, 40, 10, 5, 5);
    markRect(c, 140, 80, 50, 50);
    const sp = coverageSpans(c);
    const seen = new Uint8Array(N);
    for (let k = 0; k < sp.length; k += 2) {
      assert.ok(sp[k] < sp[k + 1] && (k === 0 || sp[k - 1] < sp[k]));
      seen.fill(1, sp[k], sp[k + 1]);
    }
    for (let i = 0; i < N; i++) {
      const tx = Math.floor((i % W) / 32);
      const ty = Math.floor(Math.floor(i / W) / 32);
      assert.equal(seen[i], c.flags[ty * c.cols + tx], `pixel ${i}`);
    }
    assert.equal(coveredPixels(c), seen.reduce((a, b) => a + b, 0));
    const u = unionCoverage(c, emptyCoverage(W, H, 32))!;
    assert.deepEqual(coverageSpans(u), sp);
  });
});

/** A coverage of random size (up to maxW x maxH), tile and flags. */
function randomCoverage(r: () => number, maxW: number, maxH: number): Coverage {
  const w = 1 + Math.floor(r() * maxW);
  const h = 1 + Math.floor(r() * maxH);
  const c = emptyCoverage(w, h, 1 + Math.floor(r() * 40));
  const density = r();
  for (let i = 0; i < c.flags.length; i++) c.flags[i] = r() < density ? 1 : 0;
  return c;
}

const flaggedAt = (c: Coverage, x: number, y: number) => c.flags[Math.floor(y / c.tile) * c.cols + Math.floor(x / c.tile)] === 1;

test('coverage spans are the maximal runs of flagged pixels, for any plane size and flags', () => {
  const r = rng(5);
  for (let trial = 0; trial < 60; trial++) {
    const c = randomCoverage(r, 140, 90);
    const { width: w, height: h } = c;
    const expected: number[] = [];
    for (let i = 0; i < w * h; i++) {
      if (!flaggedAt(c, i % w, Math.floor(i / w))) continue;
      if (expected.length > 0 && expected[expected.length - 1] === i) expected[expected.length - 1] = i + 1;
      else expected.push(i, i + 1);
    }
    assert.deepEqual([...coverageSpans(c)], expected, `${w} x ${h}, tile ${c.tile}`);
  }
});

test('fillCoverageOutside sets exactly the pixels of flagged tiles that no rectangle covers, and nothing else', () => {
  const r = rng(11);
  for (let trial = 0; trial < 80; trial++) {
    const c = randomCoverage(r, 150, 100);
    const { width: w, height: h } = c;
    // rectangles like block pieces: some overlapping, some empty, some reaching past the plane
    const rects = Array.from({ length: Math.floor(r() * 12) }, () => ({
      col: Math.floor(r() * w) - 5,
      row: Math.floor(r() * h) - 5,
      width: Math.floor(r() * 60),
      height: Math.floor(r() * 60),
    }));
    const arr = new Uint8Array(w * h).fill(7);
    fillCoverageOutside(arr, c, rects, 200);
    for (let i = 0; i < w * h; i++) {
      const x = i % w;
      const y = Math.floor(i / w);
      const inRect = rects.some((q) => x >= q.col && x < q.col + q.width && y >= q.row && y < q.row + q.height);
      assert.equal(arr[i], flaggedAt(c, x, y) && !inRect ? 200 : 7, `trial ${trial}, pixel ${x},${y} of ${w} x ${h}`);
    }
  }
});

describe('sparse planes and fused reduction equal the dense path', () => {
  const applies: [string, CallbackSpec][] = [['mask 255 and 0', cb(maskGraph)], ['scale', cb(scaleGraph)], ['is_nodata → 0', cb(nodataToZero)]];
  const reducers: [string, CallbackSpec][] = [
    ['max', reducerCb('max')], ['min', reducerCb('min')], ['sum', reducerCb('sum')], ['mean', reducerCb('mean')],
    ['product', reducerCb('product')], ['count', reducerCb('count')], ['first', reducerCb('first')],
    ['max without ignore_nodata', reducerCb('max', { ignore_nodata: false })], ['median', reducerCb('median')],
  ];

  test('only callbacks that keep no-data count as sparse', () => {
    assert.equal(keepsNodata(compileCallback(graphFromJson(maskGraph as never), ['x'])!), true);
    assert.equal(keepsNodata(compileCallback(graphFromJson(scaleGraph as never), ['x'])!), true);
    assert.equal(keepsNodata(compileCallback(graphFromJson(nodataToZero as never), ['x'])!), false);
  });

  for (const [an, apply] of applies) {
    for (const [rn, reducer] of reducers) {
      test(`${an}, then ${rn}`, async () => {
        const kernels = createKernelProvider();
        const k = kernels.apply(apply, N);
        // one set of buffers and one reducer for two "chunks", as the evaluator reuses them
        const planeBuf = allocBuffers(N, 'float32');
        const applyBuf = allocBuffers(N);
        const red = kernels.timeReducer(reducer, N, 8) as TimeReducer;
        for (const seed of [1, 2]) {
          const stack = steps(seed, 8);
          const expected = await denseReference(apply, reducer, stack);
          if (seed === 2 && red.reset) red.reset();
          const r = seed === 2 && !red.reset ? (kernels.timeReducer(reducer, N, 8) as TimeReducer) : red;
          stack.forEach((s, t) => {
            const fusion = t % 2 === 0 ? r.fusion?.() : undefined;
            const loop = fusion && kernels.fusedStep!(apply, fusion, 255, 'Uint8Array');
            if (fusion && loop) {
              loop(coverageSpans(s.cover), s.sparse, fusion.acc, fusion.counts);
              r.addFused!(s.cover);
              return;
            }
            const spans = coverageSpans(s.cover);
            prepareBuffers(planeBuf, spans);
            const plane = { ...planeFromArray(s.sparse, { nodata: 255, into: planeBuf, spans }), cover: s.cover };
            // compiled kernels answer synchronously
            r.add(k(plane, applyBuf) as Plane);
          });
          const got = output(await r.result());
          assert.deepEqual(got, expected, `chunk ${seed}`);
        }
      });
    }
  }

  test('narrow state for 8-bit values writes what the wide state writes: chunk after chunk, widening, any target', async () => {
    const kernels = createKernelProvider();
    const mask = cb(maskGraph);
    const scale = cb(scaleGraph);
    // one reducer through chunks that go narrow, wide (non-integer values), narrow then widened by a plane step,
    // and narrow again: each must start from a clean state whatever the previous one used
    const chunks: { apply: CallbackSpec; planeAt?: number; seed: number }[] = [
      { apply: mask, seed: 1 }, { apply: scale, seed: 2 }, { apply: mask, planeAt: 5, seed: 3 }, { apply: mask, seed: 4 },
    ];
    const targets: { dtype: RasterDataType; nodata: number | null }[] = [
      { dtype: 'uint8', nodata: null }, { dtype: 'int8', nodata: -1 }, { dtype: 'int16', nodata: -9999 }, { dtype: 'float32', nodata: null },
    ];
    for (const kind of ['max', 'min', 'sum', 'mean']) {
      const red = kernels.timeReducer(reducerCb(kind), N, 8) as TimeReducer;
      let narrowSeen = false;
      for (const target of targets) {
        for (const chunk of chunks) {
          const stack = steps(chunk.seed, 8);
          const k = kernels.apply(chunk.apply, N);
          const ref = kernels.timeReducer(reducerCb(kind), N, stack.length);
          for (const s of stack) ref.add(await k(planeFromArray(s.dense, { nodata: 255 }), allocBuffers(N)));
          const expected = new TYPED_ARRAY[target.dtype](N).fill(77);
          writePlane(await ref.result(), target.dtype, expected, { nodata: target.nodata });
          red.reset!();
          for (const [t, s] of stack.entries()) {
            if (t === chunk.planeAt) {
              const spans = coverageSpans(s.cover);
              const buf = allocBuffers(N, 'float32');
              prepareBuffers(buf, spans);
              red.add(k({ ...planeFromArray(s.sparse, { nodata: 255, into: buf, spans }), cover: s.cover }, allocBuffers(N)) as Plane);
              continue;
            }
            const loop = kernels.fusedStep!(chunk.apply, red.fusion!()!, 255, 'Uint8Array')!;
            const state = red.fusionFor!(loop.range, stack.length)!;
            narrowSeen ||= !(state.acc instanceof Float64Array);
            loop(coverageSpans(s.cover), s.sparse, state.acc, state.counts);
            red.addFused!(s.cover);
          }
          const got = new TYPED_ARRAY[target.dtype](N).fill(77);
          assert.equal(red.resultInto!({ dtype: target.dtype, out: got, opts: { nodata: target.nodata } }), true);
          assert.deepEqual(got, expected, `${kind} into ${target.dtype}, chunk ${chunk.seed}`);
        }
      }
      assert.ok(narrowSeen, `${kind} used the narrow state`);
    }
  });

  test('the byte lookup loop equals the direct fused loop, Uint8 and Int8, at any alignment', () => {
    const r = rng(11);
    for (const [, apply] of applies.slice(0, 2)) {
      const kernel = compileCallback(graphFromJson(apply.graph as never), ['x'])!;
      for (const op of ['max', 'min', 'sum', 'product', 'count'] as const) {
        for (const [type, nodata] of [['Uint8Array', 255], ['Int8Array', -1], ['Uint8Array', null]] as const) {
          const data = type === 'Uint8Array' ? new Uint8Array(N + 3) : new Int8Array(N + 3);
          for (let i = 0; i < data.length; ) i = fillRun(data, i, r);
          const x = data.subarray(1 + (op.length % 3)); // unaligned views take the per-pixel path
          const spans = Int32Array.of(0, 7, 9, 10, 13, 400, 401, 3000, 3001, N - 3);
          const run = (bytes?: 'Uint8Array' | 'Int8Array') => {
            const acc = new Float64Array(N).fill(op === 'product' ? 1 : 0);
            const counts = new Uint32Array(N);
            const loop = kernel.fuse({ key: `${op}|${nodata}|${type}|${bytes}`, nodata, bytes, store: (v) => storeFor(op, v) })!;
            loop(spans, x, acc, op === 'count' ? null : counts);
            loop(Int32Array.of(0, N - 3), data.subarray(0, N - 3), acc, op === 'count' ? null : counts);
            return { acc, counts };
          };
          assert.deepEqual(run(type), run(), `${op} ${type} nodata ${nodata}`);
        }
      }
    }
  });

  test('mask with a null replacement keeps the coverage and the values', () => {
    const kernels = createKernelProvider();
    const [s] = steps(7, 1);
    const spans = coverageSpans(s.cover);
    const buf = allocBuffers(N, 'float32');
    prepareBuffers(buf, spans);
    const data = { ...planeFromArray(s.sparse, { nodata: 255, into: buf, spans }), cover: s.cover };
    const m = planeFromArray(Uint8Array.from(s.sparse, (v) => +(v === 0)));
    const out = allocBuffers(N);
    out.valid.fill(1); // stale validity from an earlier step must not survive
    out.written = null;
    const got = kernels.mask(data, m, null, N, out);
    assert.equal(got.cover, s.cover);
    const want = kernels.mask(planeFromArray(s.dense, { nodata: 255 }), m, null, N, allocBuffers(N));
    assert.deepEqual(output(got), output(want));
  });
});
