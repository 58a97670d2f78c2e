// apply_dimension nodes and interpreted callbacks in the chunk evaluator, on in-memory rasters, against plain loops.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bufferedPlanes, chunkSource, type LoadReader } from '../../src/datacube/chunk-eval.ts';
import { graphFromJson, subgraph } from '../../src/datacube/callback-json.ts';
import { createKernelProvider } from '../../src/datacube/kernel-provider.ts';
import { compileArrayCallback, compileCallback, MAX_ELEMENT_KERNELS } from '../../src/datacube/kernels/compile.ts';
import { interpretApplyDimension, SeriesBuffer } from '../../src/datacube/interpreted.ts';
import { createInterpreter } from '../../src/datacube/pixel-callback.ts';
import { allocBuffers, type Plane } from '../../src/datacube/kernels/values.ts';
import type { CallbackSpec, CubeNode } from '../../src/datacube/types.ts';
import type { Grid } from '../../src/raster/grid/types.ts';
import { rng } from './oracle.ts';

const W = 7;
const H = 5;
const N = W * H;
const T = 6;
const GRID: Grid = { crs: { proj4: '+proj=longlat +datum=WGS84 +no_defs' }, transform: [1, 0, 10, 0, -1, 50], width: W, height: H };
const TIMES = Array.from({ length: T }, (_, t) => `2023-08-0${t + 1}T00:00:00Z`);

/** Values [band][time][pixel], NaN where no-data (about one in five). */
function stack(bands: number, seed: number): Float64Array[][] {
  const r = rng(seed);
  return Array.from({ length: bands }, () => Array.from({ length: T }, () => Float64Array.from({ length: N }, () => (r() < 0.2 ? NaN : Math.round(r() * 1000) / 10))));
}

/** The in-memory source behind a load node (the I/O boundary of the evaluator): windows of the arrays above. */
function memoryReader(values: Float64Array[][]): LoadReader {
  return {
    async read(_node, step, band, target) {
      const col = target.transform[2] - GRID.transform[2];
      const row = GRID.transform[5] - target.transform[5];
      const n = target.width * target.height;
      const data = new Float64Array(n);
      const valid = new Uint8Array(n);
      for (let y = 0; y < target.height; y++) {
        for (let x = 0; x < target.width; x++) {
          const v = values[band][step][(row + y) * W + col + x];
          data[y * target.width + x] = v;
          valid[y * target.width + x] = Number.isNaN(v) ? 0 : 1;
        }
      }
      return { data, valid };
    },
  };
}

const loadNode = (bands: number): CubeNode => ({
  op: 'load',
  collection: 'memory',
  grid: GRID,
  bands: Array.from({ length: bands }, (_, b) => ({ name: `b${b}`, asset: `b${b}`, dtype: 'float64' as const, nodata: null })),
  steps: TIMES.map((label) => ({ label, items: [] })),
});

const cb = (graph: Record<string, unknown>, parameterNames = ['data', 'context'], context: unknown = null): CallbackSpec => ({ graph: graph as CallbackSpec['graph'], parameterNames, context });
const data = { from_parameter: 'data' };

/** Every plane of the node over the whole grid, in two row bands (as the executor splits a chunk): [t][b] pixels. */
async function evaluate(node: CubeNode, values: Float64Array[][]): Promise<(number | null)[][][]> {
  const deps = { kernels: createKernelProvider(), loads: memoryReader(values) };
  const signal = new AbortController().signal;
  const rows = [
    { row: 0, height: 3 },
    { row: 3, height: H - 3 },
  ];
  let out: (number | null)[][][] | undefined;
  for (const { row, height } of rows) {
    const source = chunkSource(node, GRID, { col: 0, row, width: W, height }, deps);
    out ??= Array.from({ length: source.times }, () => Array.from({ length: source.bands }, () => new Array<number | null>(N).fill(null)));
    for (let b = 0; b < source.bands; b++) {
      for (let t = 0; t < source.times; t++) {
        const p: Plane = await source.plane(t, b, signal);
        for (let i = 0; i < W * height; i++) out[t][b][row * W + i] = p.valid === null || p.valid[i] === 1 ? p.data[i] : null;
      }
    }
  }
  return out!;
}

const seriesOf = (values: Float64Array[][], b: number, i: number) => values[b].map((plane) => plane[i]).filter((v) => !Number.isNaN(v));
const close = (a: number | null, b: number | null) => (a === null || b === null ? a === b : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)));
const assertClose = (got: (number | null)[], want: (number | null)[], what: string) =>
  got.forEach((g, i) => assert.ok(close(g, want[i]), `${what} at pixel ${i}: got ${g}, expected ${want[i]}`));

describe('apply_dimension over time in the chunk evaluator', () => {
  it('computes quantiles of every time series (new labels 0..n-1, one plane per quantile and band)', async () => {
    const values = stack(2, 1);
    const node: CubeNode = {
      op: 'apply_dimension',
      input: loadNode(2),
      callback: cb({ q: { process_id: 'quantiles', arguments: { data, probabilities: [0.1, 0.5, 0.9] }, result: true } }),
      source: 'time',
      target: 'time',
      labels: TIMES,
      size: 3,
    };
    const got = await evaluate(node, values);
    assert.equal(got.length, 3);
    for (let b = 0; b < 2; b++) {
      [0.1, 0.5, 0.9].forEach((p, k) => {
        const want = Array.from({ length: N }, (_, i) => {
          const s = seriesOf(values, b, i).sort((x, y) => x - y);
          if (s.length === 0) return null;
          const h = (s.length - 1) * p;
          const lo = Math.floor(h);
          return lo + 1 < s.length ? s[lo] + (h - lo) * (s[lo + 1] - s[lo]) : s[lo];
        });
        assertClose(got[k][b], want, `band ${b} quantile ${p}`);
      });
    }
  });

  it('keeps per-step values: each value minus the series minimum, scaled by a context factor', async () => {
    const values = stack(1, 2);
    // x_t - min(x) for every t, as array_create of array_element picks (labels reached by name)
    const graph: Record<string, unknown> = { mn: { process_id: 'min', arguments: { data } } };
    const items = TIMES.map((label, t) => {
      graph[`e${t}`] = { process_id: 'array_element', arguments: { data, label } };
      graph[`d${t}`] = { process_id: 'subtract', arguments: { x: { from_node: `e${t}` }, y: { from_node: 'mn' } } };
      graph[`s${t}`] = { process_id: 'multiply', arguments: { x: { from_node: `d${t}` }, y: { from_parameter: 'context' } } };
      return { from_node: `s${t}` };
    });
    graph.r = { process_id: 'array_create', arguments: { data: items }, result: true };
    const node: CubeNode = { op: 'apply_dimension', input: loadNode(1), callback: cb(graph, ['data', 'context'], 3), source: 'time', target: 'time', labels: TIMES, size: T };
    const got = await evaluate(node, values);
    for (let t = 0; t < T; t++) {
      const want = Array.from({ length: N }, (_, i) => {
        const v = values[0][t][i];
        const s = seriesOf(values, 0, i);
        return Number.isNaN(v) ? null : (v - Math.min(...s)) * 3;
      });
      assertClose(got[t][0], want, `step ${t}`);
    }
  });

  it('writes into the bands dimension (target with a single band): extrema and the series length', async () => {
    const values = stack(1, 3);
    // pixels without any data: the callback's answer for them (count 0, no extrema) is computed once and reused
    for (const plane of values[0]) plane.fill(NaN, 0, 5);
    const graph = {
      x: { process_id: 'extrema', arguments: { data } },
      c: { process_id: 'count', arguments: { data } },
      r: { process_id: 'array_concat', arguments: { array1: { from_node: 'x' }, array2: [{ from_node: 'c' }] }, result: true },
    };
    const node: CubeNode = { op: 'apply_dimension', input: loadNode(1), callback: cb(graph), source: 'time', target: 'bands', labels: TIMES, size: 3 };
    const got = await evaluate(node, values);
    assert.equal(got.length, 1);
    assert.equal(got[0].length, 3);
    const s = (i: number) => seriesOf(values, 0, i);
    assertClose(got[0][0], Array.from({ length: N }, (_, i) => (s(i).length ? Math.min(...s(i)) : null)), 'min');
    assertClose(got[0][1], Array.from({ length: N }, (_, i) => (s(i).length ? Math.max(...s(i)) : null)), 'max');
    assertClose(got[0][2], Array.from({ length: N }, (_, i) => s(i).length), 'count');
  });

  it('applies along bands with a callback returning an array (sorted band values via quantiles at 0 and 1)', async () => {
    const values = stack(3, 4);
    const node: CubeNode = {
      op: 'apply_dimension',
      input: loadNode(3),
      callback: cb({ q: { process_id: 'quantiles', arguments: { data, probabilities: [0, 1] }, result: true } }),
      source: 'bands',
      target: 'bands',
      labels: ['b0', 'b1', 'b2'],
      size: 2,
    };
    const got = await evaluate(node, values);
    assert.equal(got.length, T);
    for (let t = 0; t < T; t++) {
      const bandValues = (i: number) => [0, 1, 2].map((b) => values[b][t][i]).filter((v) => !Number.isNaN(v));
      assertClose(got[t][0], Array.from({ length: N }, (_, i) => (bandValues(i).length ? Math.min(...bandValues(i)) : null)), `t${t} min`);
      assertClose(got[t][1], Array.from({ length: N }, (_, i) => (bandValues(i).length ? Math.max(...bandValues(i)) : null)), `t${t} max`);
    }
  });

  it('centres every series on its mean with array_apply (the mean passed as context) and sorts it with no-data last', async () => {
    const values = stack(1, 10);
    const centred = await evaluate(
      {
        op: 'apply_dimension',
        input: loadNode(1),
        callback: cb({
          m: { process_id: 'mean', arguments: { data } },
          a: {
            process_id: 'array_apply',
            arguments: { data, context: { from_node: 'm' }, process: { process_graph: { s: { process_id: 'subtract', arguments: { x: { from_parameter: 'x' }, y: { from_parameter: 'context' } }, result: true } } } },
            result: true,
          },
        }),
        source: 'time',
        target: 'time',
        labels: TIMES,
        size: T,
      },
      values,
    );
    const sorted = await evaluate(
      { op: 'apply_dimension', input: loadNode(1), callback: cb({ s: { process_id: 'sort', arguments: { data, asc: false, nodata: true }, result: true } }), source: 'time', target: 'time', labels: TIMES, size: T },
      values,
    );
    for (let i = 0; i < N; i++) {
      const s = seriesOf(values, 0, i);
      const mean = s.reduce((a, b) => a + b, 0) / s.length;
      for (let t = 0; t < T; t++) {
        const v = values[0][t][i];
        assert.ok(close(centred[t][0][i], Number.isNaN(v) ? null : v - mean), `centred pixel ${i} step ${t}`);
      }
      const desc = [...s].sort((a, b) => b - a);
      for (let t = 0; t < T; t++) assert.equal(sorted[t][0][i], t < desc.length ? desc[t] : null, `sorted pixel ${i} rank ${t}`);
    }
  });

  it('array_create of order statistics and a linear_scale_range of one step', async () => {
    const values = stack(1, 11);
    const graph = {
      mn: { process_id: 'min', arguments: { data } },
      md: { process_id: 'median', arguments: { data } },
      mx: { process_id: 'max', arguments: { data } },
      e: { process_id: 'array_element', arguments: { data, index: 1 } },
      l: { process_id: 'linear_scale_range', arguments: { x: { from_node: 'e' }, inputMin: 0, inputMax: 100, outputMin: 0, outputMax: 1 } },
      r: { process_id: 'array_create', arguments: { data: [{ from_node: 'mn' }, { from_node: 'md' }, { from_node: 'mx' }, { from_node: 'l' }] }, result: true },
    };
    const got = await evaluate({ op: 'apply_dimension', input: loadNode(1), callback: cb(graph), source: 'time', target: 'time', labels: TIMES, size: 4 }, values);
    for (let i = 0; i < N; i++) {
      const s = seriesOf(values, 0, i).sort((a, b) => a - b);
      const h = s.length >> 1;
      const median = s.length === 0 ? null : s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
      const want = [s.length ? s[0] : null, median, s.length ? s[s.length - 1] : null, Number.isNaN(values[0][1][i]) ? null : values[0][1][i] / 100];
      want.forEach((w, k) => assert.ok(close(got[k][0][i], w), `pixel ${i} value ${k}: ${got[k][0][i]} vs ${w}`));
    }
  });

  it('counts the planes per pixel it buffers, so the executor can take fewer pixels at a time', () => {
    const quantiles = cb({ q: { process_id: 'quantiles', arguments: { data, probabilities: [0.5, 0.9] }, result: true } });
    const applied: CubeNode = { op: 'apply_dimension', input: loadNode(3), callback: quantiles, source: 'time', target: 'time', labels: TIMES, size: 2 };
    assert.equal(bufferedPlanes(applied), T + 2 * 3);
    const streaming: CubeNode = { op: 'reduce_time', input: applied, callback: cb({ m: { process_id: 'max', arguments: { data }, result: true } }) };
    assert.equal(bufferedPlanes(streaming), T + 2 * 3);
    const interpreted: CubeNode = { op: 'reduce_time', input: loadNode(1), callback: cb({ e: { process_id: 'array_element', arguments: { data, index: 2 }, result: true } }) };
    assert.equal(bufferedPlanes(interpreted), T);
  });

  it('fails when a pixel returns another number of values than planned', async () => {
    const node: CubeNode = { op: 'apply_dimension', input: loadNode(1), callback: cb({ q: { process_id: 'extrema', arguments: { data }, result: true } }), source: 'time', target: 'time', labels: TIMES, size: 3 };
    await assert.rejects(evaluate(node, stack(1, 5)), /returned 2 values/);
  });

  it('sort with nodata null (the default) fails where a pixel has no-data, saying why and what keeps the length', async () => {
    const node: CubeNode = { op: 'apply_dimension', input: loadNode(1), callback: cb({ s: { process_id: 'sort', arguments: { data }, result: true } }), source: 'time', target: 'time', labels: TIMES, size: T };
    await assert.rejects(evaluate(node, stack(1, 6)), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'ProcessParameterInvalid');
      assert.match(e.message, /parameter 'process' in process 'apply_dimension'.*returned [0-5] values for a pixel but 6 for a pixel without no-data/);
      assert.match(e.message, /sort with nodata true or false keeps them/);
      return true;
    });
  });
});

describe('compiled and interpreted apply_dimension agree', () => {
  it('array_create of per-step expressions: the vectorized kernels give what the interpreter gives', async () => {
    const values = stack(1, 12)[0];
    const series = new SeriesBuffer(N);
    for (const plane of values) series.add({ data: plane, valid: Uint8Array.from(plane, (v) => (Number.isNaN(v) ? 0 : 1)) });
    const graph: Record<string, unknown> = {
      mn: { process_id: 'min', arguments: { data } },
      mx: { process_id: 'max', arguments: { data } },
      av: { process_id: 'mean', arguments: { data } },
      e: { process_id: 'array_element', arguments: { data, label: TIMES[3] } },
      n: { process_id: 'normalized_difference', arguments: { x: { from_node: 'e' }, y: { from_node: 'mn' } } },
      c: { process_id: 'clip', arguments: { x: { from_node: 'e' }, min: 20, max: 60 } },
      g: { process_id: 'gt', arguments: { x: { from_node: 'e' }, y: { from_node: 'mx' } } },
      r: { process_id: 'array_create', arguments: { data: ['mn', 'mx', 'av', 'n', 'c', 'g'].map((id) => ({ from_node: id })) }, result: true },
    };
    const spec = cb(graph);
    for (const id of ['mn', 'mx', 'av', 'n', 'c', 'g']) {
      assert.ok(compileCallback(graphFromJson(subgraph(spec.graph, id)), spec.parameterNames, { labels: TIMES }), `element ${id} compiles, so the provider takes the vectorized path`);
    }
    const compiled = await createKernelProvider().applyDimension(spec, TIMES)(series, Array.from({ length: 6 }, () => allocBuffers(N)));
    const interpreted = await interpretApplyDimension(await createInterpreter().prepare(spec, 'test'), series, TIMES, Array.from({ length: 6 }, () => allocBuffers(N)));
    const read = (p: Plane) => Array.from(p.data, (v, i) => (p.valid === null || p.valid[i] === 1 ? v : null));
    compiled.forEach((p, k) => assertClose(read(p), read(interpreted[k]), `element ${k}`));
    assert.ok(read(compiled[2]).some((v) => v !== null), 'the mean has values');
  });
});

describe('interpreted fallback for callbacks the kernel compiler refuses', () => {
  it('apply: array_find over a constant list, per value', async () => {
    const values = stack(1, 6).map((b) => b.map((p) => p.map((v) => (Number.isNaN(v) ? v : Math.round(v / 20)))));
    const list = [0, 1, 2, 3, 4];
    const node: CubeNode = { op: 'apply', input: loadNode(1), callback: cb({ f: { process_id: 'array_find', arguments: { data: list, value: { from_parameter: 'x' } }, result: true } }, ['x', 'context']) };
    const got = await evaluate(node, values);
    for (let t = 0; t < T; t++) {
      const want = Array.from(values[0][t], (v) => (Number.isNaN(v) || !list.includes(v) ? null : list.indexOf(v)));
      assertClose(got[t][0], want, `step ${t}`);
    }
  });

  it('reduce_dimension over time: max - min (not a recognized reducer) and a label pick', async () => {
    const values = stack(1, 7);
    const range: CubeNode = {
      op: 'reduce_time',
      input: loadNode(1),
      labels: TIMES,
      callback: cb({
        mx: { process_id: 'max', arguments: { data } },
        mn: { process_id: 'min', arguments: { data } },
        d: { process_id: 'subtract', arguments: { x: { from_node: 'mx' }, y: { from_node: 'mn' } }, result: true },
      }),
    };
    const got = await evaluate(range, values);
    const s = (i: number) => seriesOf(values, 0, i);
    assertClose(got[0][0], Array.from({ length: N }, (_, i) => (s(i).length ? Math.max(...s(i)) - Math.min(...s(i)) : null)), 'range');
    const pick: CubeNode = { op: 'reduce_time', input: loadNode(1), labels: TIMES, callback: cb({ e: { process_id: 'array_element', arguments: { data, label: TIMES[2] }, result: true } }) };
    const picked = await evaluate(pick, values);
    assertClose(picked[0][0], Array.from(values[0][2], (v) => (Number.isNaN(v) ? null : v)), 'pick');
  });

  it('reduce_dimension over bands: count with a condition (a nested callback)', async () => {
    const values = stack(3, 8);
    const node: CubeNode = {
      op: 'reduce_bands',
      input: loadNode(3),
      labels: ['b0', 'b1', 'b2'],
      callback: cb({ c: { process_id: 'count', arguments: { data, condition: { process_graph: { g: { process_id: 'gt', arguments: { x: { from_parameter: 'x' }, y: 50 }, result: true } } } }, result: true } }),
    };
    const got = await evaluate(node, values);
    for (let t = 0; t < T; t++) {
      assertClose(got[t][0], Array.from({ length: N }, (_, i) => [0, 1, 2].filter((b) => values[b][t][i] > 50).length), `step ${t}`);
    }
  });

  it('reports a callback using a process that cannot run per pixel', async () => {
    const node: CubeNode = { op: 'apply', input: loadNode(1), callback: cb({ f: { process_id: 'load_collection', arguments: { id: 'x' }, result: true } }, ['x']) };
    await assert.rejects(evaluate(node, stack(1, 9)), (e: Error & { code?: string }) => e.code === 'FeatureUnsupported');
  });
});

describe('elementwise arithmetic on the series (the Python client\'s `x - x.mean()`)', () => {
  const mean = { m: { process_id: 'mean', arguments: { data } } };
  const centred = { ...mean, c: { process_id: 'subtract', arguments: { x: data, y: { from_node: 'm' } }, result: true } };
  const applied = (graph: Record<string, unknown>, size = T): CubeNode => ({ op: 'apply_dimension', input: loadNode(1), callback: cb(graph), source: 'time', target: 'time', labels: TIMES, size });
  /** NaN (e.g. the sample sd of a single value) equals NaN here. */
  const same = (a: number | null, b: number | null) => (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b)) || close(a, b);
  const stats = (s: number[]) => {
    const m = s.reduce((a, b) => a + b, 0) / s.length;
    return { m, sd: Math.sqrt(s.reduce((a, v) => a + (v - m) * (v - m), 0) / (s.length - 1)) };
  };

  it('x - mean(x) along t: every step minus its series mean, no-data where the step has none', async () => {
    const values = stack(1, 13);
    const got = await evaluate(applied(centred), values);
    let checked = 0;
    for (let i = 0; i < N; i++) {
      const { m } = stats(seriesOf(values, 0, i));
      for (let t = 0; t < T; t++) {
        const v = values[0][t][i];
        const want = Number.isNaN(v) ? null : v - m;
        assert.ok(close(got[t][0][i], want), `pixel ${i} step ${t}: ${got[t][0][i]} vs ${want}`);
        if (want !== null) checked++;
      }
    }
    assert.ok(checked > N * T * 0.6, `most values are data (${checked})`);
  });

  it('x - mean(x) runs compiled, one kernel per step, and agrees with the interpreter', async () => {
    const spec = cb(centred);
    const kernels = compileArrayCallback(graphFromJson(spec.graph), spec.parameterNames, { labels: TIMES });
    assert.equal(kernels?.length, T, 'compiled: the provider takes the vectorized path');
    const series = new SeriesBuffer(N);
    for (const plane of stack(1, 14)[0]) series.add({ data: plane, valid: Uint8Array.from(plane, (v) => (Number.isNaN(v) ? 0 : 1)) });
    const outs = () => Array.from({ length: T }, () => allocBuffers(N));
    const compiled = await createKernelProvider().applyDimension(spec, TIMES)(series, outs());
    const interpreted = await interpretApplyDimension(await createInterpreter().prepare(spec, 'test'), series, TIMES, outs());
    const read = (p: Plane) => Array.from(p.data, (v, i) => (p.valid === null || p.valid[i] === 1 ? v : null));
    compiled.forEach((p, k) => assertClose(read(p), read(interpreted[k]), `step ${k}`));
  });

  it('x - mean(x) along bands: every band minus the mean of the pixel\'s bands at that step', async () => {
    const values = stack(3, 19);
    const bands = ['b0', 'b1', 'b2'];
    const got = await evaluate({ op: 'apply_dimension', input: loadNode(3), callback: cb(centred), source: 'bands', target: 'bands', labels: bands, size: 3 }, values);
    for (let t = 0; t < T; t++) {
      for (let i = 0; i < N; i++) {
        const s = [0, 1, 2].map((b) => values[b][t][i]).filter((v) => !Number.isNaN(v));
        const { m } = stats(s);
        for (let b = 0; b < 3; b++) {
          const v = values[b][t][i];
          assert.ok(close(got[t][b][i], Number.isNaN(v) ? null : v - m), `step ${t} pixel ${i} band ${b}`);
        }
      }
    }
  });

  it('x - mean(x) over a long series is interpreted: one kernel per element would repeat the series work per element', () => {
    const spec = cb(centred);
    const long = Array.from({ length: MAX_ELEMENT_KERNELS + 1 }, (_, i) => `t${i}`);
    assert.equal(compileArrayCallback(graphFromJson(spec.graph), spec.parameterNames, { labels: long }), undefined);
    assert.equal(compileArrayCallback(graphFromJson(spec.graph), spec.parameterNames, { labels: long.slice(1) })?.length, MAX_ELEMENT_KERNELS);
  });

  it('(x - mean(x)) / sd(x) along t (interpreted: sd has no kernel) against a plain loop', async () => {
    const values = stack(1, 15);
    const graph = {
      ...centred,
      c: { process_id: 'subtract', arguments: { x: data, y: { from_node: 'm' } } },
      s: { process_id: 'sd', arguments: { data } },
      z: { process_id: 'divide', arguments: { x: { from_node: 'c' }, y: { from_node: 's' } }, result: true },
    };
    const spec = cb(graph);
    assert.equal(compileArrayCallback(graphFromJson(spec.graph), spec.parameterNames, { labels: TIMES }), undefined, 'sd is not compiled');
    const got = await evaluate(applied(graph), values);
    for (let i = 0; i < N; i++) {
      const { m, sd } = stats(seriesOf(values, 0, i));
      for (let t = 0; t < T; t++) {
        const v = values[0][t][i];
        const want = Number.isNaN(v) ? null : (v - m) / sd;
        assert.ok(same(got[t][0][i], want), `pixel ${i} step ${t}: ${got[t][0][i]} vs ${want}`);
      }
    }
  });

  it('x / max(x) and comparisons with the series give per-step values (booleans as 0/1)', async () => {
    const values = stack(1, 16);
    const scaled = await evaluate(applied({ m: { process_id: 'max', arguments: { data } }, r: { process_id: 'divide', arguments: { x: data, y: { from_node: 'm' } }, result: true } }), values);
    const above = await evaluate(applied({ ...mean, r: { process_id: 'gt', arguments: { x: data, y: { from_node: 'm' } }, result: true } }), values);
    for (let i = 0; i < N; i++) {
      const s = seriesOf(values, 0, i);
      const { m } = stats(s);
      for (let t = 0; t < T; t++) {
        const v = values[0][t][i];
        assert.ok(close(scaled[t][0][i], Number.isNaN(v) ? null : v / Math.max(...s)), `x / max(x) at pixel ${i} step ${t}`);
        assert.equal(above[t][0][i], Number.isNaN(v) ? null : v > m ? 1 : 0, `x > mean(x) at pixel ${i} step ${t}`);
      }
    }
  });

  it('an array of another length than the series fails clearly, naming the process and the parameter', async () => {
    const graph = { r: { process_id: 'subtract', arguments: { x: data, y: [1, 2, 3] }, result: true } };
    await assert.rejects(evaluate(applied(graph), stack(1, 17)), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'ProcessParameterInvalid');
      assert.match(e.message, /parameter 'y' in process 'subtract' .*3 elements .*'x', an array of 6/);
      return true;
    });
  });

  it('reducers over elementwise expressions: sum of squared deviations over bands (compiled) and over time (interpreted)', async () => {
    const values = stack(3, 18);
    const squares = {
      ...mean,
      d: { process_id: 'subtract', arguments: { x: data, y: { from_node: 'm' } } },
      q: { process_id: 'power', arguments: { base: { from_node: 'd' }, p: 2 } },
      r: { process_id: 'sum', arguments: { data: { from_node: 'q' } }, result: true },
    };
    const bands = ['b0', 'b1', 'b2'];
    assert.ok(compileCallback(graphFromJson(cb(squares).graph), ['data', 'context'], { labels: bands }), 'the band reducer compiles');
    const overBands = await evaluate({ op: 'reduce_bands', input: loadNode(3), labels: bands, callback: cb(squares) }, values);
    const overTime = await evaluate({ op: 'reduce_time', input: loadNode(3), labels: TIMES, callback: cb(squares) }, values);
    const deviations = (s: number[]) => (s.length ? s.reduce((a, v) => a + (v - stats(s).m) ** 2, 0) : null);
    for (let t = 0; t < T; t++) {
      const want = Array.from({ length: N }, (_, i) => deviations([0, 1, 2].map((b) => values[b][t][i]).filter((v) => !Number.isNaN(v))));
      assertClose(overBands[t][0], want, `over bands, step ${t}`);
    }
    for (let b = 0; b < 3; b++) assertClose(overTime[0][b], Array.from({ length: N }, (_, i) => deviations(seriesOf(values, b, i))), `over time, band ${b}`);
  });
});

describe('apply_dimension along x and y in the chunk evaluator', () => {
  const XS = Array.from({ length: W }, (_, i) => 10 + i + 0.5);
  const YS = Array.from({ length: H }, (_, i) => 50 - i - 0.5);
  const spatial = (axis: 'x' | 'y', graph: Record<string, unknown>, bands = 2): CubeNode => ({
    op: 'apply_dimension',
    input: loadNode(bands),
    callback: cb(graph),
    source: axis,
    target: axis,
    labels: axis === 'x' ? XS : YS,
    size: axis === 'x' ? W : H,
  });
  const centred = { m: { process_id: 'mean', arguments: { data } }, s: { process_id: 'subtract', arguments: { x: data, y: { from_node: 'm' } }, result: true } };

  /** Every plane of the node over the whole grid, computed window by window: [t][b] pixels. */
  async function evaluateIn(node: CubeNode, values: Float64Array[][], windows: { col: number; row: number; width: number; height: number }[]): Promise<(number | null)[][][]> {
    const deps = { kernels: createKernelProvider(), loads: memoryReader(values) };
    const signal = new AbortController().signal;
    const out = Array.from({ length: T }, () => Array.from({ length: values.length }, () => new Array<number | null>(N).fill(null)));
    for (const win of windows) {
      const source = chunkSource(node, GRID, win, deps);
      for (let b = 0; b < source.bands; b++) {
        for (let t = 0; t < source.times; t++) {
          const p = await source.plane(t, b, signal);
          for (let r = 0; r < win.height; r++) {
            for (let c = 0; c < win.width; c++) {
              const i = r * win.width + c;
              out[t][b][(win.row + r) * W + win.col + c] = p.valid === null || p.valid[i] === 1 ? p.data[i] : null;
            }
          }
        }
      }
    }
    return out;
  }
  // whole rows in two bands, whole columns in two bands, and windows cutting both (the node then widens them itself)
  const layouts = [
    [{ col: 0, row: 0, width: W, height: 3 }, { col: 0, row: 3, width: W, height: H - 3 }],
    [{ col: 0, row: 0, width: 4, height: H }, { col: 4, row: 0, width: W - 4, height: H }],
    [{ col: 0, row: 0, width: 4, height: 2 }, { col: 4, row: 0, width: W - 4, height: 2 }, { col: 0, row: 2, width: W, height: H - 2 }],
  ];

  /** Values of band b at step t along row y (axis x) or column x (axis y), no-data as null. */
  const line = (values: Float64Array[][], axis: 'x' | 'y', b: number, t: number, at: number) =>
    axis === 'x' ? Array.from({ length: W }, (_, x) => values[b][t][at * W + x]) : Array.from({ length: H }, (_, y) => values[b][t][y * W + at]);
  const expectLines = (got: (number | null)[][][], values: Float64Array[][], axis: 'x' | 'y', f: (line: number[]) => (number | null)[], what: string) => {
    for (let b = 0; b < values.length; b++) {
      for (let t = 0; t < T; t++) {
        for (let at = 0; at < (axis === 'x' ? H : W); at++) {
          const want = f(line(values, axis, b, t, at));
          want.forEach((w, k) => {
            const i = axis === 'x' ? at * W + k : k * W + at;
            assert.ok(close(got[t][b][i], w), `${what}: band ${b} step ${t} ${axis === 'x' ? 'row' : 'column'} ${at} element ${k}: got ${got[t][b][i]}, expected ${w}`);
          });
        }
      }
    }
  };
  /** x - mean(x) over the line, no-data ignored by the mean and kept as no-data. */
  const minusMean = (l: number[]) => {
    const s = l.filter((v) => !Number.isNaN(v));
    const m = s.reduce((a, b) => a + b, 0) / s.length;
    return l.map((v) => (Number.isNaN(v) ? null : v - m));
  };

  for (const axis of ['x', 'y'] as const) {
    it(`x - mean(x) along ${axis} gives each whole ${axis === 'x' ? 'row' : 'column'} minus its mean, for any windows`, async () => {
      const values = stack(2, 21);
      // a line without any data: the mean is null, every value stays no-data
      for (const plane of values[1]) for (let k = 0; k < W; k++) plane[2 * W + k] = NaN;
      for (const plane of values[1]) for (let k = 0; k < H; k++) plane[k * W + 3] = NaN;
      for (const windows of layouts) expectLines(await evaluateIn(spatial(axis, centred), values, windows), values, axis, minusMean, `windows ${JSON.stringify(windows)}`);
    });
  }

  it('sort along x with no-data last; the labels are the x coordinates (array_element by label along y)', async () => {
    const values = stack(2, 22);
    const sorted = await evaluateIn(spatial('x', { s: { process_id: 'sort', arguments: { data, nodata: true }, result: true } }), values, layouts[2]);
    expectLines(sorted, values, 'x', (l) => {
      const s = l.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
      return l.map((_, k) => (k < s.length ? s[k] : null));
    }, 'sort');
    // the value at y = 47.5 (row 2) subtracted from every value of its column
    const graph = { e: { process_id: 'array_element', arguments: { data, label: 47.5 } }, s: { process_id: 'subtract', arguments: { x: data, y: { from_node: 'e' } }, result: true } };
    const relative = await evaluateIn(spatial('y', graph), values, layouts[0]);
    expectLines(relative, values, 'y', (l) => l.map((v) => (Number.isNaN(v) || Number.isNaN(l[2]) ? null : v - l[2])), 'minus row 2');
  });

  for (const axis of ['x', 'y'] as const) {
    const unit = axis === 'x' ? 'row' : 'column';
    it(`sort with nodata null along ${axis} fails where a ${unit} has no-data (a ${unit} cannot be shorter than the grid), saying why`, async () => {
      const values = stack(2, 24);
      await assert.rejects(evaluateIn(spatial(axis, { s: { process_id: 'sort', arguments: { data }, result: true } }), values, layouts[2]), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'ProcessParameterInvalid');
        assert.match(e.message, new RegExp(`parameter 'process' in process 'apply_dimension'.*returned \\d+ values for a ${unit} but ${axis === 'x' ? W : H} for a ${unit} without no-data`));
        assert.match(e.message, /sort with nodata true or false keeps them/);
        return true;
      });
    });
  }

  it('computes an interpreted callback (nested array_apply) on a series too long for compiled kernels', async () => {
    // 80 columns: more than the compiled kernels take, so the row is interpreted
    const wide = 80;
    const grid: Grid = { ...GRID, width: wide };
    const r = rng(23);
    const plane = Float64Array.from({ length: wide * H }, () => (r() < 0.2 ? NaN : Math.round(r() * 1000) / 10));
    const loads: LoadReader = {
      async read(_node, _step, _band, target) {
        const col = target.transform[2] - GRID.transform[2];
        const row = GRID.transform[5] - target.transform[5];
        const n = target.width * target.height;
        const out = { data: new Float64Array(n), valid: new Uint8Array(n) };
        for (let i = 0; i < n; i++) {
          const v = plane[(row + Math.floor(i / target.width)) * wide + col + (i % target.width)];
          out.data[i] = v;
          out.valid[i] = Number.isNaN(v) ? 0 : 1;
        }
        return out;
      },
    };
    const graph = {
      m: { process_id: 'mean', arguments: { data } },
      a: { process_id: 'array_apply', arguments: { data, context: { from_node: 'm' }, process: { process_graph: { s: { process_id: 'subtract', arguments: { x: { from_parameter: 'x' }, y: { from_parameter: 'context' } }, result: true } } } }, result: true },
    };
    assert.ok(wide > MAX_ELEMENT_KERNELS);
    const input: CubeNode = { op: 'load', collection: 'memory', grid, bands: [{ name: 'b0', asset: 'b0', dtype: 'float64', nodata: null }], steps: [{ label: TIMES[0], items: [] }] };
    const node: CubeNode = { op: 'apply_dimension', input, callback: cb(graph), source: 'x', target: 'x', labels: Array.from({ length: wide }, (_, i) => 10.5 + i), size: wide };
    const source = chunkSource(node, grid, { col: 30, row: 1, width: 20, height: 3 }, { kernels: createKernelProvider(), loads });
    const got = await source.plane(0, 0, new AbortController().signal);
    for (let y = 1; y < 4; y++) {
      const want = minusMean(Array.from(plane.subarray(y * wide, (y + 1) * wide)));
      for (let x = 30; x < 50; x++) {
        const i = (y - 1) * 20 + x - 30;
        assert.ok(close(got.valid![i] === 1 ? got.data[i] : null, want[x]), `row ${y} column ${x}`);
      }
    }
  });
});
