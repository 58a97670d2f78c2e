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
import type { NarrowOp } from '../../src/datacube/kernels/narrow-state.ts';
import { encodeModule, maskingSet, simdAvailable, simdRegion, simdNarrowStep } from '../../src/datacube/kernels/simd-narrow.ts';
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
