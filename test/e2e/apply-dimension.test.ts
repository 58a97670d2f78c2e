// apply_dimension over time and interpreted callbacks through the HTTP API (sync and batch), against plain loops
// over the input pixels as the same API returns them.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { generateDemoData } from '../../src/demo-data/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { runJob } from './flood-helpers.ts';

// A corner of the demo area with flood pixels in several of its eight time steps.
const AREA = { west: 68.45, south: 27.0, east: 68.5, north: 27.04 };
const data = { from_parameter: 'data' };
const graphOf = (nodes: Record<string, unknown>, format: string, from: string, options: Record<string, unknown> = {}) => ({
  l: { process_id: 'load_collection', arguments: { id: 'GFM', spatial_extent: AREA, temporal_extent: ['2023-08-01', '2023-09-01'], bands: ['ensemble_likelihood'] } },
  ...nodes,
  s: { process_id: 'save_result', arguments: { data: { from_node: from }, format, options: { dtype: 'float32', ...options } }, result: true },
});

type Grid3 = { t: number[]; values: (number | null)[][][] };

/** The variable of a netCDF/Zarr file as [t][y][x] with NaN as null, and its t coordinate (as numbers). */
function readCube(file: string, variable = 'ensemble_likelihood'): Grid3 {
  const script = `
import json, sys, numpy as np, xarray as xr
ds = xr.open_zarr(sys.argv[1], decode_times=False) if sys.argv[1].endswith('.zarr') else xr.open_dataset(sys.argv[1], decode_times=False)
v = ds[sys.argv[2]].transpose('t', 'y', 'x').values.astype('float64')
print(json.dumps({"t": [float(x) for x in ds['t'].values], "values": [[[None if np.isnan(x) else float(x) for x in row] for row in plane] for plane in v]}))
`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, file, variable], { encoding: 'utf8', maxBuffer: 1 << 28 }));
}

/** Plain type-7 quantile of sorted values. */
const quantile = (sorted: number[], p: number) => {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  return lo + 1 < sorted.length ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
};
const near = (a: number | null, b: number | null) => (a === null || b === null ? a === b : Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b)));

/** POST /result as the test user, and the same with the body written to a file in the app's data folder. */
function syncClient(app: () => TestApp, token: () => string) {
  const sync = (graph: Record<string, unknown>) => request(app().app).post('/result').set('Authorization', token()).send({ process: { process_graph: graph } });
  async function syncFile(graph: Record<string, unknown>, name: string): Promise<string> {
    const res = await sync(graph)
      .buffer(true)
      .parse((r, cb) => {
        const parts: Buffer[] = [];
        r.on('data', (c: Buffer) => parts.push(c));
        r.on('end', () => cb(null, Buffer.concat(parts)));
      });
    assert.equal(res.status, 200, res.status === 200 ? '' : String(res.body));
    const file = path.join(app().dataDir, name);
    await fs.writeFile(file, res.body as Buffer);
    return file;
  }
  return { sync, syncFile };
}

// one app, demo collection and input cube (read back as netCDF) for both suites
let t: TestApp;
let token: string;
let input: Grid3;
const { sync, syncFile } = syncClient(() => t, () => token);
before(async () => {
  t = await createTestApp({ runJobs: true, env: { CHUNK_THREADS: '2' } });
  await generateDemoData({ size: 'small', outDir: path.join(t.dataDir, 'demo', 'gfm') });
  token = await t.login('applydim');
  input = readCube(await syncFile(graphOf({}, 'netCDF', 'l'), 'input.nc'));
});
after(() => t?.close());

describe('apply_dimension over time and per-pixel callbacks through the API', () => {
  before(() => {
    const valid = input.values.flat(2).filter((v) => v !== null).length;
    assert.equal(input.t.length, 8);
    assert.ok(valid > 1000 && valid < input.values.flat(2).length, `the area should mix data and no-data (${valid} valid)`);
  });
  /** Each pixel's time series without its no-data steps. */
  const series = (y: number, x: number) => input.values.map((plane) => plane[y][x]).filter((v): v is number => v !== null);

  it('sync netCDF: quantiles of every time series, the time dimension relabelled 0..2', async () => {
    const probabilities = [0.25, 0.5, 0.75];
    const file = await syncFile(
      graphOf({ a: { process_id: 'apply_dimension', arguments: { data: { from_node: 'l' }, dimension: 't', process: { process_graph: { q: { process_id: 'quantiles', arguments: { data, probabilities }, result: true } } } } } }, 'netCDF', 'a'),
      'quantiles.nc',
    );
    const got = readCube(file);
    assert.deepEqual(got.t, [0, 1, 2]);
    let checked = 0;
    probabilities.forEach((p, k) => {
      got.values[k].forEach((row, y) =>
        row.forEach((v, x) => {
          const s = series(y, x).sort((a, b) => a - b);
          const want = s.length ? quantile(s, p) : null;
          assert.ok(near(v, want), `q${p} at ${y},${x}: ${v} vs ${want}`);
          if (want !== null) checked++;
        }),
      );
    });
    assert.ok(checked > 100);
  });

  it('batch job, Zarr: x - min(x) for every step keeps the time labels', async () => {
    const labels = (await sync({ ...graphOf({}, 'netCDF', 'l'), s: { process_id: 'dimension_labels', arguments: { data: { from_node: 'l' }, dimension: 't' }, result: true } }).expect(200)).body as string[];
    const cb: Record<string, unknown> = { mn: { process_id: 'min', arguments: { data } } };
    labels.forEach((label, k) => {
      cb[`e${k}`] = { process_id: 'array_element', arguments: { data, label } };
      cb[`d${k}`] = { process_id: 'subtract', arguments: { x: { from_node: `e${k}` }, y: { from_node: 'mn' } } };
    });
    cb.r = { process_id: 'array_create', arguments: { data: labels.map((_, k) => ({ from_node: `d${k}` })) }, result: true };
    const job = await runJob(t, token, { process: { process_graph: graphOf({ a: { process_id: 'apply_dimension', arguments: { data: { from_node: 'l' }, dimension: 't', process: { process_graph: cb } } } }, 'Zarr', 'a', { chunk_size: 128 }) } });
    assert.equal(job.results.properties.start_datetime, labels[0]);
    const got = readCube(path.join(t.dataDir, 'results', 'jobs', job.id, 'result.zarr'));
    assert.deepEqual(got.t, input.t);
    got.values.forEach((plane, k) =>
      plane.forEach((row, y) =>
        row.forEach((v, x) => {
          const own = input.values[k][y][x];
          const want = own === null ? null : own - Math.min(...series(y, x));
          assert.ok(near(v, want), `step ${k} at ${y},${x}: ${v} vs ${want}`);
        }),
      ),
    );
  });

  it('sync netCDF: anomalies x - mean(x) with array_apply (nested callback reading the outer series) keep the time labels', async () => {
    const anomaly = {
      process_graph: {
        a: {
          process_id: 'array_apply',
          arguments: {
            data,
            process: {
              process_graph: {
                m: { process_id: 'mean', arguments: { data } },
                s: { process_id: 'subtract', arguments: { x: { from_parameter: 'x' }, y: { from_node: 'm' } }, result: true },
              },
            },
          },
          result: true,
        },
      },
    };
    const got = readCube(await syncFile(graphOf({ a: { process_id: 'apply_dimension', arguments: { data: { from_node: 'l' }, dimension: 't', process: anomaly } } }, 'netCDF', 'a'), 'anomaly.nc'));
    assert.deepEqual(got.t, input.t);
    got.values.forEach((plane, k) =>
      plane.forEach((row, y) =>
        row.forEach((v, x) => {
          const own = input.values[k][y][x];
          const s = series(y, x);
          assert.ok(near(v, own === null ? null : own - s.reduce((a, b) => a + b, 0) / s.length), `step ${k} at ${y},${x}`);
        }),
      ),
    );
  });

  it('sync netCDF: the direct form (w - mean(w)) / sd(w), w = x plus a per-step offset, keeps the time labels', async () => {
    // the demo series are constant (often 0) where valid: an offset per step makes them vary
    const offsets = input.t.map((_, k) => k + 1);
    const standardized = {
      process_graph: {
        w: { process_id: 'add', arguments: { x: data, y: offsets } },
        m: { process_id: 'mean', arguments: { data: { from_node: 'w' } } },
        c: { process_id: 'subtract', arguments: { x: { from_node: 'w' }, y: { from_node: 'm' } } },
        s: { process_id: 'sd', arguments: { data: { from_node: 'w' } } },
        z: { process_id: 'divide', arguments: { x: { from_node: 'c' }, y: { from_node: 's' } }, result: true },
      },
    };
    const got = readCube(await syncFile(graphOf({ a: { process_id: 'apply_dimension', arguments: { data: { from_node: 'l' }, dimension: 't', process: standardized } } }, 'netCDF', 'a'), 'standardized.nc'));
    assert.deepEqual(got.t, input.t);
    let checked = 0;
    got.values.forEach((plane, k) =>
      plane.forEach((row, y) =>
        row.forEach((v, x) => {
          const own = input.values[k][y][x];
          const s = input.values.map((p, j) => (p[y][x] === null ? null : p[y][x]! + offsets[j])).filter((w): w is number => w !== null);
          const m = s.reduce((a, b) => a + b, 0) / s.length;
          const sd = Math.sqrt(s.reduce((a, b) => a + (b - m) ** 2, 0) / (s.length - 1));
          const want = own === null ? null : (own + offsets[k] - m) / sd;
          // NaN (a single value has no sample sd) is written as the fill value and read back as null
          assert.ok(near(v, want !== null && Number.isFinite(want) ? want : null), `step ${k} at ${y},${x}: ${v} vs ${want}`);
          if (want !== null && Number.isFinite(want) && want !== 0) checked++;
        }),
      ),
    );
    assert.ok(checked > 100, `${checked} values checked`);
  });

  it('an array of another length than the series is refused with ProcessParameterInvalid naming subtract and y', async () => {
    const process = { process_graph: { s: { process_id: 'subtract', arguments: { x: data, y: [1, 2, 3] }, result: true } } };
    const res = await sync(graphOf({ a: { process_id: 'apply_dimension', arguments: { data: { from_node: 'l' }, dimension: 't', process } } }, 'netCDF', 'a')).expect(400);
    assert.equal(res.body.code, 'ProcessParameterInvalid');
    assert.match(res.body.message, /parameter 'y' in process 'subtract'/);
  });

  it('sort with nodata null (the default) is refused where a series has no-data, naming apply_dimension and the way to keep the length', async () => {
    const process = { process_graph: { s: { process_id: 'sort', arguments: { data }, result: true } } };
    const res = await sync(graphOf({ a: { process_id: 'apply_dimension', arguments: { data: { from_node: 'l' }, dimension: 't', process } } }, 'netCDF', 'a')).expect(400);
    assert.equal(res.body.code, 'ProcessParameterInvalid');
    assert.match(res.body.message, /parameter 'process' in process 'apply_dimension'.*returned [0-7] values for a pixel but 8 for a pixel without no-data.*sort with nodata true or false keeps them/);
  });

  it('target_dimension: a new dimension replaces t; an existing one with a single label receives the values', async () => {
    const extrema = { process_graph: { e: { process_id: 'extrema', arguments: { data }, result: true } } };
    const labelsOf = (args: Record<string, unknown>, dimension: string) =>
      sync({ ...graphOf({}, 'netCDF', 'l'), a: { process_id: 'apply_dimension', arguments: { data: { from_node: 'l' }, dimension: 't', process: extrema, ...args } }, s: { process_id: 'dimension_labels', arguments: { data: { from_node: 'a' }, dimension }, result: true } });
    assert.deepEqual((await labelsOf({ target_dimension: 'stats' }, 'stats').expect(200)).body, ['0', '1']);
    assert.equal((await labelsOf({ target_dimension: 'stats' }, 't').expect(400)).body.code, 'DimensionNotAvailable');
    assert.deepEqual((await labelsOf({ target_dimension: 'bands' }, 'bands').expect(200)).body, ['0', '1']);
    // the values of bands 0 and 1 (written as variables band_0, band_1) are the series' minimum and maximum
    const file = await syncFile(graphOf({ a: { process_id: 'apply_dimension', arguments: { data: { from_node: 'l' }, dimension: 't', target_dimension: 'bands', process: extrema } } }, 'netCDF', 'a'), 'extrema.nc');
    const [lo, hi] = ['band_0', 'band_1'].map((v) => readCube2d(file, v));
    lo.forEach((row, y) =>
      row.forEach((v, x) => {
        const s = series(y, x);
        assert.ok(near(v, s.length ? Math.min(...s) : null) && near(hi[y][x], s.length ? Math.max(...s) : null), `at ${y},${x}`);
      }),
    );
  });

  it('reduce_dimension over t with a reducer the kernels cannot vectorize (max - min) computes per pixel', async () => {
    const reducer = {
      process_graph: {
        mx: { process_id: 'max', arguments: { data } },
        mn: { process_id: 'min', arguments: { data } },
        d: { process_id: 'subtract', arguments: { x: { from_node: 'mx' }, y: { from_node: 'mn' } }, result: true },
      },
    };
    const file = await syncFile(graphOf({ r: { process_id: 'reduce_dimension', arguments: { data: { from_node: 'l' }, dimension: 't', reducer } } }, 'netCDF', 'r'), 'range.nc');
    const got = readCube2d(file, 'ensemble_likelihood');
    got.forEach((row, y) =>
      row.forEach((v, x) => {
        const s = series(y, x);
        assert.ok(near(v, s.length ? Math.max(...s) - Math.min(...s) : null), `at ${y},${x}`);
      }),
    );
  });
});


describe('apply_dimension along x and y through the API', () => {
  before(() => {
    // strips of 64-pixel chunks (the smallest chunk_size) must cover several chunks each way
    // valid values are all 0 here: the callbacks add a ramp along the line (k at its k-th pixel) to make them vary
    assert.deepEqual([...new Set(input.values.flat(2))].sort(), [0, null]);
    assert.ok(input.values[0].length > 64 && input.values[0][0].length > 64, `the area is ${input.values[0][0].length} x ${input.values[0].length} px`);
  });
  const lengthOf = (axis: string) => (axis === 'x' ? input.values[0][0].length : input.values[0].length);
  /** w = x + ramp along the line (k at its k-th pixel; descending: n - k), then `then` over w. */
  const ramped = (axis: string, then: Record<string, unknown>, descending = false) => {
    const n = lengthOf(axis);
    return { w: { process_id: 'add', arguments: { x: data, y: Array.from({ length: n }, (_, k) => (descending ? n - k : k)) } }, ...then };
  };
  const w = { from_node: 'w' };
  const centred = { m: { process_id: 'mean', arguments: { data: w } }, s: { process_id: 'subtract', arguments: { x: w, y: { from_node: 'm' } }, result: true } };
  const sorted = { s: { process_id: 'sort', arguments: { data: w, nodata: true }, result: true } };
  const applyAlong = (dimension: string, process_graph: Record<string, unknown>, extra: Record<string, unknown> = {}, input = 'l') => ({
    [input === 'l' ? 'a' : 'b']: { process_id: 'apply_dimension', arguments: { data: { from_node: input }, dimension, process: { process_graph }, ...extra } },
  });

  /** What a plain loop gives for every row (x) or column (y) of every step, as [t][y][x]. */
  const expected = (values: (number | null)[][][], axis: 'x' | 'y', f: (line: (number | null)[]) => (number | null)[]) =>
    values.map((plane) => {
      const rows = plane.length;
      const cols = plane[0].length;
      const out = plane.map((row) => row.map(() => null as number | null));
      if (axis === 'x') plane.forEach((row, y) => (out[y] = f(row)));
      else for (let x = 0; x < cols; x++) f(Array.from({ length: rows }, (_, y) => plane[y][x])).forEach((v, y) => (out[y][x] = v));
      return out;
    });
  const ramp = (line: (number | null)[], descending = false) => line.map((v, k) => (v === null ? null : v + (descending ? line.length - k : k)));
  /** w - mean(w): the mean over the valid values only, no-data stays no-data. */
  const minusMean = (line: (number | null)[]) => {
    const w = ramp(line);
    const s = w.filter((v): v is number => v !== null);
    const m = s.reduce((a, b) => a + b, 0) / s.length;
    return w.map((v) => (v === null ? null : v - m));
  };
  const ascending = (line: (number | null)[]) => {
    const s = ramp(line, true).filter((v): v is number => v !== null).sort((a, b) => a - b);
    return line.map((_, k) => (k < s.length ? s[k] : null));
  };
  const compare = (got: Grid3, want: (number | null)[][][], what: string) => {
    assert.deepEqual(got.t, input.t);
    let valid = 0;
    want.forEach((plane, k) =>
      plane.forEach((row, y) =>
        row.forEach((w, x) => {
          const v = got.values[k][y][x];
          assert.ok(near(v, w), `${what}: step ${k} at ${y},${x}: ${v} vs ${w}`);
          if (w !== null && w !== 0) valid++;
        }),
      ),
    );
    assert.ok(valid > 1000, `${what}: only ${valid} values to compare`);
  };

  for (const axis of ['x', 'y'] as const) {
    it(`sync netCDF: w - mean(w) along ${axis}, w = x plus a ramp (the mean ignores no-data), against plain loops`, async () => {
      const got = readCube(await syncFile(graphOf(applyAlong(axis, ramped(axis, centred)), 'netCDF', 'a'), `centred-${axis}.nc`));
      compare(got, expected(input.values, axis, minusMean), `x - mean(x) along ${axis}`);
    });
  }

  it('sync netCDF: sort along x (x plus a descending ramp) with no-data last against plain loops', async () => {
    const got = readCube(await syncFile(graphOf(applyAlong('x', ramped('x', sorted, true)), 'netCDF', 'a'), 'sorted-x.nc'));
    compare(got, expected(input.values, 'x', ascending), 'sort along x');
  });

  it('batch jobs, Zarr in 64-px chunks: w - mean(w) along y and sort along x (strips of several chunks)', async () => {
    for (const [axis, process, f] of [['y', ramped('y', centred), minusMean], ['x', ramped('x', sorted, true), ascending]] as const) {
      const job = await runJob(t, token, { process: { process_graph: graphOf(applyAlong(axis, process), 'Zarr', 'a', { chunk_size: 64 }) } });
      const store = path.join(t.dataDir, 'results', 'jobs', job.id, 'result.zarr');
      compare(readCube(store), expected(input.values, axis, f), `batch along ${axis}`);
      const zarray = JSON.parse(await fs.readFile(path.join(store, 'ensemble_likelihood', '.zarray'), 'utf8')) as { chunks: number[] };
      assert.deepEqual(zarray.chunks.slice(-2), [64, 64]);
    }
  });

  it('refuses callbacks that change the length and targets other than the dimension itself, saying why', async () => {
    const extrema = { e: { process_id: 'extrema', arguments: { data }, result: true } };
    const plain = { m: { process_id: 'mean', arguments: { data } }, s: { process_id: 'subtract', arguments: { x: data, y: { from_node: 'm' } }, result: true } };
    for (const axis of ['x', 'y']) {
      const shorter = await sync(graphOf(applyAlong(axis, extrema), 'netCDF', 'a')).expect(501);
      assert.equal(shorter.body.code, 'FeatureUnsupported');
      assert.match(shorter.body.message, new RegExp(`returns 2 values for \\d+ ${axis} coordinates.*lose its coordinates`));
      const mean = await sync(graphOf(applyAlong(axis, { m: { process_id: 'mean', arguments: { data }, result: true } }), 'netCDF', 'a')).expect(501);
      assert.match(mean.body.message, /returns a single value/);
      for (const target of ['t', 'other']) {
        const moved = await sync(graphOf(applyAlong(axis, plain, { target_dimension: target }), 'netCDF', 'a')).expect(501);
        assert.equal(moved.body.code, 'FeatureUnsupported');
        assert.match(moved.body.message, new RegExp(`cannot put the values into '${target}': the grid would lose its ${axis} coordinates`));
      }
      // the dimension itself as the target is the same as none
      await sync(graphOf(applyAlong(axis, plain, { target_dimension: axis }), 'netCDF', 'a')).expect(200);
    }
  });

  it('sort with nodata null (the default) along x and y is refused where a row (column) has no-data: it cannot be shorter than the grid', async () => {
    for (const axis of ['x', 'y'] as const) {
      const unit = axis === 'x' ? 'row' : 'column';
      const res = await sync(graphOf(applyAlong(axis, { s: { process_id: 'sort', arguments: { data }, result: true } }), 'netCDF', 'a')).expect(400);
      assert.equal(res.body.code, 'ProcessParameterInvalid');
      assert.match(res.body.message, new RegExp(`parameter 'process' in process 'apply_dimension'.*returned \\d+ values for a ${unit} but ${lengthOf(axis)} for a ${unit} without no-data.*sort with nodata true or false keeps them`));
    }
  });

  it('along x and then y: the whole grid in one piece (w - mean(w) of the row, then of the column)', async () => {
    const graph = graphOf({ ...applyAlong('x', ramped('x', centred)), ...applyAlong('y', ramped('y', centred), {}, 'a') }, 'netCDF', 'b');
    const got = readCube(await syncFile(graph, 'both.nc'));
    compare(got, expected(expected(input.values, 'x', minusMean), 'y', minusMean), 'along x, then y');
  });
});

/** A 2-D variable (y, x) of a netCDF file, NaN as null. */
function readCube2d(file: string, variable: string): (number | null)[][] {
  const script = `
import json, sys, numpy as np, xarray as xr
v = xr.open_dataset(sys.argv[1])[sys.argv[2]].transpose('y', 'x').values.astype('float64')
print(json.dumps([[None if np.isnan(x) else float(x) for x in row] for row in v]))
`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, file, variable], { encoding: 'utf8', maxBuffer: 1 << 28 }));
}
