/**
 * The SIMD loop into narrow state against the JavaScript loop, at random: callbacks masking random sets of sample
 * values (with and without a loader no-data), random spans with unaligned heads and tails, max / min / sum into
 * uint8 / uint16 state over up to 255 steps. The same fused loop runs on state in a SIMD memory and on plain
 * typed arrays (which keep the JavaScript loop); the kernel is also called directly, which must take the step.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createKernelProvider } from '../../src/datacube/kernel-provider.ts';
import type { CallbackSpec } from '../../src/datacube/types.ts';
import { finalizeNarrow, finalizeNarrowSpans, narrowStart, type NarrowOp } from '../../src/datacube/kernels/narrow-state.ts';
import { encodeModule, maskingSet, simdAvailable, simdFinalize, simdRegion, simdNarrowStep } from '../../src/datacube/kernels/simd-narrow.ts';
import { rng } from './oracle.ts';

/** `x`, or null where x is one of `values`. */
function maskingCallback(values: number[]): CallbackSpec {
  const graph: Record<string, object> = {};
  let cond: object = { from_parameter: 'x' };
  values.forEach((c, j) => {
    graph[`eq${j}`] = { process_id: 'eq', arguments: { x: { from_parameter: 'x' }, y: c } };
    if (j === 0) cond = { from_node: 'eq0' };
    else {
      graph[`or${j}`] = { process_id: 'or', arguments: { x: cond, y: { from_node: `eq${j}` } } };
      cond = { from_node: `or${j}` };
    }
  });
  graph.r = values.length === 0
    ? { process_id: 'multiply', arguments: { x: { from_parameter: 'x' }, y: 1 }, result: true }
    : { process_id: 'if', arguments: { value: cond, accept: null, reject: { from_parameter: 'x' } }, result: true };
  return { graph: graph as CallbackSpec['graph'], parameterNames: ['x'] };
}

/** Sorted disjoint spans within [0, n): runs of every length, most starting and ending off 16-pixel boundaries. */
function randomSpans(r: () => number, n: number): Int32Array {
  if (r() < 0.15) return Int32Array.of(0, n);
  const out: number[] = [];
  let i = Math.floor(r() * 20);
  while (i < n) {
    const len = r() < 0.5 ? Math.floor(r() * 40) : Math.floor(r() * 300);
    const e = Math.min(n, i + len);
    if (e > i) out.push(i, e);
    i = e + 1 + Math.floor(r() * (r() < 0.5 ? 3 : 100));
  }
  return Int32Array.from(out);
}

test('the SIMD kernel module validates', () => {
  assert.ok(encodeModule().length > 0);
  assert.ok(simdAvailable(), 'Node 20 validates the module (WebAssembly SIMD)');
});

test('masking tables: valid samples are their own value, at most four masked', () => {
  const TV = Float64Array.from({ length: 256 }, (_, k) => k);
  const TM = new Uint8Array(256).fill(1);
  assert.equal(maskingSet(TV, TM), undefined, 'nothing masked: the JavaScript loop');
  TM[0] = TM[255] = 0;
  assert.deepEqual([...maskingSet(TV, TM)!], [0, 255, 255, 255]);
  TM[3] = TM[4] = TM[5] = 0;
  assert.equal(maskingSet(TV, TM), undefined, 'five masked');
  TM[4] = TM[5] = 1;
  TV[9] = 10;
  assert.equal(maskingSet(TV, TM), undefined, 'a valid sample changed');
});

test('SIMD narrow steps write the bytes of the JavaScript loop', () => {
  const r = rng(20261207);
  const kernels = createKernelProvider();
  const ops: NarrowOp[] = ['max', 'min', 'sum'];
  let simdSteps = 0;
  for (let round = 0; round < 150; round++) {
    const op = ops[round % 3];
    const size = Math.floor(r() * 7); // 0..6 masked values: 1..4 take SIMD, the others the JavaScript loop
    const values = Array.from({ length: size }, () => Math.floor(r() * 256));
    const nodata = r() < 0.5 ? null : Math.floor(r() * 256);
    const masked = new Set(nodata === null ? values : [...values, nodata]);
    const loop = kernels.fusedStep!(maskingCallback(values), { op, acc: new Float64Array(0), counts: new Uint32Array(0) }, nodata, 'Uint8Array')!;
    assert.ok(loop, 'a fused loop');
    const n = 1 + Math.floor(r() * (r() < 0.3 ? 40 : 5000));
    const simd = simdRegion(op, n + Math.floor(r() * 40))!.arrays(n);
    const start = op === 'min' ? 255 : 0;
    simd.acc.fill(start);
    const acc = op === 'sum' ? new Uint16Array(n).fill(start) : new Uint8Array(n).fill(start);
    const counts = new Uint8Array(n);
    const steps = r() < 0.2 ? 255 : 1 + Math.floor(r() * 20);
    // the table as the loop sees it (validity and value per sample), for direct calls of the kernel
    const TV = Float64Array.from({ length: 256 }, (_, k) => k);
    const TM = Uint8Array.from({ length: 256 }, (_, k) => (masked.has(k) ? 0 : 1));
    const set = maskingSet(TV, TM);
    assert.equal(set !== undefined, masked.size >= 1 && masked.size <= 4);
    const pool = [...masked];
    for (let t = 0; t < steps; t++) {
      const spans = randomSpans(r, n);
      // samples at an odd offset in their buffer now and then; masked values half the time
      const pad = r() < 0.3 ? 1 + Math.floor(r() * 15) : 0;
      const X = new Uint8Array(new ArrayBuffer(n + pad), pad, n);
      const pm = r();
      for (let i = 0; i < n; i++) X[i] = pool.length > 0 && r() < pm ? pool[Math.floor(r() * pool.length)] : Math.floor(r() * 256);
      if (set && r() < 0.5) {
        assert.ok(simdNarrowStep(op, set, spans, X, simd.acc, simd.counts), 'the kernel takes the step');
        simdSteps++;
      } else loop(spans, X, simd.acc, simd.counts);
      loop(spans, X, acc, counts);
    }
    const what = `${op}, masked ${[...masked]}, n ${n}, ${steps} steps`;
    assert.deepEqual(simd.counts, counts, `counts: ${what}`);
    assert.deepEqual(simd.acc, acc, `acc: ${what}`);
  }
  assert.ok(simdSteps > 200, `${simdSteps} direct kernel steps`);
});

test('arrays outside a SIMD memory, or of the wrong width, keep the JavaScript loop', () => {
  const set = Int32Array.of(0, 255, 255, 255);
  const sp = Int32Array.of(0, 16);
  const X = new Uint8Array(16).fill(7);
  assert.equal(simdNarrowStep('max', set, sp, X, new Uint8Array(16), new Uint8Array(16)), false);
  const s = simdRegion('max', 16)!.arrays(16);
  assert.equal(simdNarrowStep('sum', set, sp, X, s.acc, s.counts), false, 'uint8 state for a sum');
  assert.equal(simdNarrowStep('max', set, Int32Array.of(0, 17), new Uint8Array(17), s.acc, s.counts), false, 'spans beyond the state');
  assert.equal(simdNarrowStep('max', set, sp, X, new Uint8Array(s.acc.buffer, 0, 48), s.counts), false, 'a view over the staging area');
  assert.equal(simdNarrowStep('max', set, sp, X, s.acc, s.counts), true);
  assert.deepEqual([...s.acc], new Array(16).fill(7));
  assert.deepEqual([...s.counts], new Array(16).fill(1));
});

/** A Uint8Array store of `x` (what the JavaScript finalize leaves in a uint8 output). */
const byteOf = (x: number): number => Uint8Array.of(x)[0];

test('SIMD finalize of narrow state into uint8 writes the bytes of the JavaScript finalize', () => {
  const r = rng(20261208);
  const nodatas = [0, 255, 17, 300, -3, 2.9, NaN];
  let simdCalls = 0;
  for (let round = 0; round < 300; round++) {
    const mean = round % 3 === 0 ? false : true;
    const op: NarrowOp = mean ? 'sum' : round % 2 === 0 ? 'max' : 'min';
    const n = 1 + Math.floor(r() * (r() < 0.3 ? 40 : 5000));
    const region = simdRegion(op, n + Math.floor(r() * 40))!.arrays(n);
    const acc = op === 'sum' ? new Uint16Array(n) : new Uint8Array(n);
    const counts = new Uint8Array(n);
    // counts: runs of no valid step, of 255 steps, and random; sums consistent with the counts (means up to 255,
    // now and then larger: the output keeps the low byte)
    const pZero = r();
    const vmax = r() < 0.1 ? 65_535 : 1 + Math.floor(r() * 255);
    for (let i = 0; i < n; i++) {
      const q = r();
      const c = q < pZero * 0.7 ? 0 : q < 0.8 ? 255 : 1 + Math.floor(r() * 255);
      counts[i] = c;
      if (op === 'sum') acc[i] = c === 0 ? 0 : vmax > 255 ? Math.floor(r() * 65_536) : Math.floor(r() * (c * vmax + 1));
      else acc[i] = c === 0 ? (op === 'min' ? 255 : 0) : Math.floor(r() * 256);
    }
    region.acc.set(acc);
    region.counts.set(counts);
    const nodata = nodatas[Math.floor(r() * nodatas.length)];
    const f = { float: false, nodata, lo: 0, hi: 255 };
    const spans = randomSpans(r, n);
    const pad = r() < 0.5 ? Math.floor(r() * 16) : 0;
    const out = new Uint8Array(new ArrayBuffer(n + pad), pad, n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(r() * 256);
    const expected = out.slice();
    // the JavaScript finalize span by span; no-data between the spans (resultInto's fill)
    const plain = { op, acc, counts, start: narrowStart(op), top: op === 'sum' ? 65_535 : 255, valueMax: 255 };
    if (spans.length > 0) expected.fill(nodata, spans[0], spans[spans.length - 1]);
    for (let k = 0; k < spans.length; k += 2) finalizeNarrow(plain, mean, expected, f, spans[k], spans[k + 1]);
    const what = `${mean ? 'mean' : op}, n ${n}, nodata ${nodata}, ${spans.length / 2} spans`;
    if (r() < 0.5) {
      assert.ok(simdFinalize(mean, region.acc, region.counts, out, nodata, spans), `the kernel takes ${what}`);
      simdCalls++;
    } else finalizeNarrowSpans({ ...plain, acc: region.acc, counts: region.counts }, mean, out, f, spans);
    assert.deepEqual(out, expected, what);
    // the same through finalizeNarrowSpans on plain arrays (the JavaScript loop)
    const out2 = new Uint8Array(n);
    const expected2 = new Uint8Array(n);
    finalizeNarrowSpans(plain, mean, out2, f, spans);
    for (let k = 0; k < spans.length; k += 2) finalizeNarrow(plain, mean, expected2, f, spans[k], spans[k + 1]);
    assert.deepEqual(out2, expected2, `plain arrays: ${what}`);
  }
  assert.ok(simdCalls > 100, `${simdCalls} direct kernel calls`);
});

test('SIMD mean: f32 division truncates to floor(a / c) for every uint16 sum and uint8 count', () => {
  const n = 65_536;
  const s = simdRegion('sum', n)!.arrays(n);
  for (let a = 0; a < n; a++) s.acc[a] = a;
  const out = new Uint8Array(n);
  const all = Int32Array.of(0, n);
  for (let c = 0; c <= 255; c++) {
    s.counts.fill(c);
    out.fill(0);
    assert.ok(simdFinalize(true, s.acc, s.counts, out, 77, all));
    for (let a = 0; a < n; a++) {
      // the low byte of the quotient: the f32 result is off by at most one, which always shows in the low byte
      const want = c === 0 ? 77 : ((a / c) | 0) & 255;
      if (out[a] !== want) assert.fail(`${a} / ${c}: ${out[a]}, want ${want}`);
    }
  }
});

test('finalize outside a SIMD memory, into other outputs or of the wrong width, keeps the JavaScript loop', () => {
  const sp = Int32Array.of(0, 16);
  const s = simdRegion('sum', 16)!.arrays(16);
  const m = simdRegion('max', 16)!.arrays(16);
  assert.equal(simdFinalize(true, new Uint16Array(16), new Uint8Array(16), new Uint8Array(16), 0, sp), false, 'plain arrays');
  assert.equal(simdFinalize(true, s.acc, s.counts, new Uint16Array(16), 0, sp), false, 'uint16 output');
  assert.equal(simdFinalize(true, s.acc, s.counts, new Uint8ClampedArray(16), 0, sp), false, 'clamped output');
  assert.equal(simdFinalize(false, s.acc, s.counts, new Uint8Array(16), 0, sp), false, 'uint16 state for max');
  assert.equal(simdFinalize(true, m.acc, m.counts, new Uint8Array(16), 0, sp), false, 'uint8 state for a mean');
  assert.equal(simdFinalize(false, m.acc, m.counts, new Uint8Array(8), 0, sp), false, 'output shorter than the spans');
  assert.equal(simdFinalize(false, m.acc, m.counts, new Uint8Array(16), 0, Int32Array.of(0, 17)), false, 'spans beyond the state');
  // a float format keeps the JavaScript loop even into bytes (finalizeNarrowSpans does not ask the kernel)
  m.acc.fill(9);
  m.counts.fill(1);
  const out = new Uint8Array(16);
  finalizeNarrowSpans({ op: 'max', acc: m.acc, counts: m.counts, start: 0, top: 255, valueMax: 9 }, false, out, { float: true, nodata: NaN, lo: -Infinity, hi: Infinity }, sp);
  assert.deepEqual([...out], new Array(16).fill(9));
});
