/**
 * Streaming and buffered reducers against the scalar statistic processes applied to each pixel's column, on random
 * stacks with no-data, NaN and infinities (including all-valid steps and whole no-data steps); the official test
 * cases of the reducers run as stacks of 1-pixel planes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createProcessArgs } from '../../src/process-graph/args.ts';
import { DEFAULT_PROCESS_LIMITS } from '../../src/process-graph/limits.ts';
import {
  BufferedReducer,
  createStreamingReducer,
  recognizeReducer,
  type Plane,
  type StreamingKind,
} from '../../src/datacube/kernels/index.ts';
import { decode, loadCases, sameValue } from '../processes/official-cases.ts';
import { assertSamePlane, node, parse, randomPlane, registry } from './oracle.ts';

const N = 250;

/** A stack of steps: planes with masks, one without mask, and one step that is entirely no-data (null). */
function stack(seed: number, steps: number): (Plane | null)[] {
  const out: (Plane | null)[] = [];
  for (let s = 0; s < steps; s++) {
    if (s === 2) out.push(null);
    else out.push(randomPlane({ n: N, seed: seed * 100 + s, nulls: s === 4 ? 0 : 0.35, kind: s % 2 ? 'float32' : 'float64' }));
  }
  return out;
}

async function scalar(id: string, column: unknown[], extra: Record<string, unknown>): Promise<unknown> {
  const def = registry.get(id)!;
  return def.run(createProcessArgs(def.spec, new Map(Object.entries({ data: column, ...extra }))), { signal: AbortSignal.timeout(5000), services: {}, limits: DEFAULT_PROCESS_LIMITS });
}

async function expectedColumns(id: string, steps: readonly (Plane | null)[], extra: Record<string, unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let i = 0; i < N; i++) {
    const column = steps.map((p) => (p === null || (p.valid && p.valid[i] === 0) ? null : p.data[i]));
    out.push(await scalar(id, column, extra));
  }
  return out;
}

describe('streaming reducers equal the scalar processes per pixel', () => {
  const kinds: StreamingKind[] = ['max', 'min', 'sum', 'mean', 'product', 'first', 'last'];
  for (const kind of kinds) {
    for (const ignoreNodata of [true, false]) {
      test(`${kind} (ignore_nodata: ${ignoreNodata})`, async () => {
        for (const [seed, steps] of [[1, 7], [2, 1], [3, 0]]) {
          const planes = stack(seed, steps);
          const r = createStreamingReducer(kind, N, { ignoreNodata });
          for (const p of planes) (p ? r.add(p) : r.addNodata());
          assert.equal(r.steps, steps);
          assertSamePlane(r.result(), await expectedColumns(kind, planes, { ignore_nodata: ignoreNodata }), `${kind} over ${steps} steps`);
          // reset keeps the buffers and starts over
          r.reset();
          for (const p of planes) (p ? r.add(p) : r.addNodata());
          assertSamePlane(r.result(), await expectedColumns(kind, planes, { ignore_nodata: ignoreNodata }), `${kind} after reset`);
        }
      });
    }
  }
  for (const condition of [null, true]) {
    test(`count (condition: ${condition})`, async () => {
      const planes = stack(9, 6);
      const r = createStreamingReducer('count', N, { countAll: condition === true });
      for (const p of planes) (p ? r.add(p) : r.addNodata());
      assertSamePlane(r.result(), await expectedColumns('count', planes, { condition }), 'count');
    });
  }

  test('uint8-like data: the GFM flood (max) and likelihood (mean) reductions', async () => {
    const planes = Array.from({ length: 20 }, (_, s) => randomPlane({ n: N, seed: 700 + s, nulls: 0.5, bytes: true, kind: 'float32' }));
    for (const kind of ['max', 'mean', 'sum', 'count'] as const) {
      const r = createStreamingReducer(kind, N);
      for (const p of planes) r.add(p);
      assertSamePlane(r.result(), await expectedColumns(kind, planes, {}), kind);
    }
  });

  test('state arrays handed in with stale contents (memory kept from a larger chunk) give the same results', async () => {
    const planes = stack(5, 6);
    // arrays longer than N full of garbage, cut to N as the evaluator's arena does
    const garbage = <A extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(a: A) => (a.fill(7), a.subarray(0, N) as A);
    const state = {
      f64: () => garbage(new Float64Array(N + 9)),
      u32: () => garbage(new Uint32Array(N + 9)),
      u16: () => garbage(new Uint16Array(N + 9)),
      u8: () => garbage(new Uint8Array(N + 9)),
    };
    for (const [kind, ignoreNodata] of [['max', true], ['mean', true], ['sum', false], ['count', true]] as const) {
      const r = createStreamingReducer(kind, N, { ignoreNodata, state });
      for (const p of planes) (p ? r.add(p) : r.addNodata());
      const extra = kind === 'count' ? { condition: null } : { ignore_nodata: ignoreNodata };
      assertSamePlane(r.result(), await expectedColumns(kind, planes, extra), `${kind} on stale state`);
    }
  });

  test('misuse is reported: wrong plane size, add after result', () => {
    const r = createStreamingReducer('sum', 10);
    assert.throws(() => r.add({ data: new Float64Array(5), valid: null }), RangeError);
    r.result();
    assert.throws(() => r.add({ data: new Float64Array(10), valid: null }));
  });
});

describe('any / all', () => {
  // The reference has no scalar any/all; the official cases are the oracle. Two of them contradict the truth tables
  // of the process descriptions (a single no-data value with ignore_nodata false must give no-data, not the identity).
  const ERRATA = new Set(['any#8', 'all#8']);
  for (const id of ['any', 'all'] as const) {
    test(`official cases of ${id}`, () => {
      let ran = 0;
      for (const [k, c] of loadCases(id).entries()) {
        const data = decode(c.arguments.data) as (boolean | null)[];
        const ignoreNodata = (c.arguments.ignore_nodata as boolean | undefined) ?? true;
        const r = createStreamingReducer(id, 1, { ignoreNodata });
        for (const v of data) r.add({ data: Float64Array.of(v ? 1 : 0), valid: Uint8Array.of(v === null ? 0 : 1) });
        const out = r.result();
        const actual = out.valid![0] === 0 ? null : out.data[0] === 1;
        const expected = decode(c.returns);
        if (ERRATA.has(`${id}#${k}`)) {
          assert.equal(actual, null, `${id}#${k} follows the truth table`);
          continue;
        }
        assert.equal(actual, expected, `${id}#${k}: ${JSON.stringify(c.arguments)}`);
        ran++;
      }
      assert.ok(ran >= 8);
    });
  }
});

describe('official reducer cases as stacks of 1-pixel planes', () => {
  const SKIP: Record<string, string> = { 'product#10': 'erratum: -Infinity * Infinity is -Infinity under IEEE 754' };
  for (const id of ['max', 'min', 'sum', 'mean', 'product', 'first', 'last', 'count', 'median', 'sd', 'variance']) {
    test(id, async () => {
      let ran = 0;
      for (const [k, c] of loadCases(id).entries()) {
        const data = decode(c.arguments.data);
        if (SKIP[`${id}#${k}`] || c.throws || !Array.isArray(data) || !data.every((v) => v === null || typeof v === 'number')) continue;
        const condition = c.arguments.condition;
        if (condition !== undefined && condition !== null && condition !== true) continue;
        const ignoreNodata = (c.arguments.ignore_nodata as boolean | undefined) ?? true;
        const planes = data.map((v) => ({ data: Float64Array.of(v ?? 0), valid: Uint8Array.of(v === null ? 0 : 1) }));
        let out: Plane;
        if (['median', 'sd', 'variance'].includes(id)) {
          const r = new BufferedReducer(1, id as 'median', { ignoreNodata });
          for (const p of planes) r.add(p);
          out = await r.result();
        } else {
          const r = createStreamingReducer(id as StreamingKind, 1, { ignoreNodata, countAll: condition === true });
          for (const p of planes) r.add(p);
          out = r.result();
        }
        const actual = out.valid && out.valid[0] === 0 ? null : out.data[0];
        assert.ok(sameValue(actual, decode(c.returns), c.delta ?? 1e-10), `${id}#${k}: got ${actual}, expected ${JSON.stringify(c.returns)}`);
        ran++;
      }
      assert.ok(ran > 0);
    });
  }
});

describe('buffered reducers', () => {
  for (const kind of ['median', 'sd', 'variance'] as const) {
    for (const ignoreNodata of [true, false]) {
      test(`${kind} (ignore_nodata: ${ignoreNodata})`, async () => {
        const planes = stack(31, 8);
        const r = new BufferedReducer(N, kind, { ignoreNodata });
        for (const p of planes) (p ? r.add(p) : r.addNodata());
        assert.ok(r.bytes > 0);
        assertSamePlane(await r.result(), await expectedColumns(kind, planes, { ignore_nodata: ignoreNodata }), kind);
      });
    }
  }

  test('a column callback (here the scalar quantiles picking one value) for anything else', async () => {
    const planes = stack(41, 5);
    const pick = async (values: (number | null)[]) => ((await scalar('quantiles', values, { probabilities: [0.25] })) as (number | null)[])[0];
    const r = new BufferedReducer(N, pick);
    for (const p of planes) (p ? r.add(p) : r.addNodata());
    const expected: unknown[] = [];
    for (let i = 0; i < N; i++) expected.push(await pick(planes.map((p) => (p === null || (p.valid && p.valid[i] === 0) ? null : p.data[i]))));
    assertSamePlane(await r.result(), expected, 'quantile 0.25');
    const bad = new BufferedReducer(1, () => 'text');
    bad.add({ data: Float64Array.of(1), valid: null });
    await assert.rejects(bad.result(), /must return a number/);
    const aborted = new BufferedReducer(1, 'median');
    await assert.rejects(aborted.result(AbortSignal.abort()), { name: 'AbortError' });
  });
});

test('recognizeReducer', () => {
  const D = { from_parameter: 'data' };
  assert.deepEqual(recognizeReducer(parse(node('max', { data: D }))), { streaming: true, kind: 'max', ignoreNodata: true, countAll: false });
  assert.deepEqual(recognizeReducer(parse(node('mean', { data: D, ignore_nodata: false }))), { streaming: true, kind: 'mean', ignoreNodata: false, countAll: false });
  assert.deepEqual(recognizeReducer(parse(node('count', { data: D, condition: true }))), { streaming: true, kind: 'count', ignoreNodata: true, countAll: true });
  assert.deepEqual(recognizeReducer(parse(node('median', { data: D }))), { streaming: false, kind: 'median', ignoreNodata: true });
  assert.equal(recognizeReducer(parse(node('max', { data: [1, 2] }))), undefined);
  assert.equal(recognizeReducer(parse(node('max', { data: { from_parameter: 'x' } }))), undefined);
  assert.equal(recognizeReducer(parse(node('quantiles', { data: D, probabilities: [0.5] }))), undefined);
  assert.equal(recognizeReducer(parse(node('count', { data: D, condition: { process_graph: node('gt', { x: { from_parameter: 'x' }, y: 1 }) } }))), undefined);
  assert.equal(
    recognizeReducer(parse({ a: { process_id: 'max', arguments: { data: D } }, b: { process_id: 'multiply', arguments: { x: { from_node: 'a' }, y: 2 }, result: true } })),
    undefined,
  );
});
