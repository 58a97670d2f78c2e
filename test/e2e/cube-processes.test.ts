import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { generateDemoData } from '../../src/demo-data/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { BBOX, floodJob } from './flood-helpers.ts';

const load = (bands = ['ensemble_likelihood']) => ({
  process_id: 'load_collection',
  arguments: { id: 'GFM', spatial_extent: BBOX, temporal_extent: ['2023-08-01', '2023-09-01'], bands },
});
const reducer = (id: string) => ({ process_graph: { r: { process_id: id, arguments: { data: { from_parameter: 'data' } }, result: true } } });

const binary = (res: request.Response, cb: (e: Error | null, body: Buffer) => void) => {
  const parts: Buffer[] = [];
  res.on('data', (c: Buffer) => parts.push(c));
  res.on('end', () => cb(null, Buffer.concat(parts)));
};

describe('data cube processes on the demo collection', () => {
  let t: TestApp;
  let token: string;
  before(async () => {
    t = await createTestApp({ env: { CHUNK_THREADS: '0' } });
    await generateDemoData({ size: 'small', outDir: path.join(t.dataDir, 'demo', 'gfm') });
    token = await t.login('cubes');
  });
  after(() => t.close());

  const sync = (graph: Record<string, unknown>) => request(t.app).post('/result').set('Authorization', token).send({ process: { process_graph: graph } });

  it('dimension_labels, filter_temporal and filter_labels see the time steps of the items', async () => {
    const all = await sync({ l: load(), d: { process_id: 'dimension_labels', arguments: { data: { from_node: 'l' }, dimension: 't' }, result: true } }).expect(200);
    assert.equal(all.body.length, 8);
    assert.deepEqual([...all.body].sort(), all.body);
    const first = all.body[0];
    const filtered = await sync({
      l: load(),
      f: { process_id: 'filter_temporal', arguments: { data: { from_node: 'l' }, extent: [all.body[2], all.body[5]] } },
      d: { process_id: 'dimension_labels', arguments: { data: { from_node: 'f' }, dimension: 't' }, result: true },
    }).expect(200);
    assert.deepEqual(filtered.body, all.body.slice(2, 5));
    const labels = await sync({
      l: load(),
      f: { process_id: 'filter_labels', arguments: { data: { from_node: 'l' }, dimension: 't', condition: { process_graph: { e: { process_id: 'eq', arguments: { x: { from_parameter: 'value' }, y: first }, result: true } } } } },
      d: { process_id: 'dimension_labels', arguments: { data: { from_node: 'f' }, dimension: 't' }, result: true },
    }).expect(200);
    assert.deepEqual(labels.body, [first]);
    const bands = await sync({ l: load(['ensemble_flood_extent', 'ensemble_likelihood']), d: { process_id: 'dimension_labels', arguments: { data: { from_node: 'l' }, dimension: 'bands' }, result: true } }).expect(200);
    assert.deepEqual(bands.body, ['ensemble_flood_extent', 'ensemble_likelihood']);
  });

  it('creating a job or validating a graph finds what the catalog and the formats refuse, without running it', async () => {
    const flood = () => floodJob('gfm-flood-monthly.json');
    const nodeOf = (body: { process: { process_graph: Record<string, { process_id: string; arguments: Record<string, unknown> }> } }, id: string) =>
      Object.values(body.process.process_graph).find((n) => n.process_id === id)!;
    const variant = (change: (b: ReturnType<typeof flood>) => void) => {
      const b = flood();
      change(b);
      return b;
    };
    const bad: [string, ReturnType<typeof flood>, string, RegExp][] = [
      ['unknown collection', variant((b) => (nodeOf(b, 'load_collection').arguments.id = 'NOPE')), 'CollectionNotFound', /'NOPE'/],
      ['unknown band', variant((b) => (nodeOf(b, 'load_collection').arguments.bands = ['nope'])), 'ProcessParameterInvalid', /nope/],
      ['reversed bbox', variant((b) => (nodeOf(b, 'load_collection').arguments.spatial_extent = { ...BBOX, west: BBOX.east, east: BBOX.west })), 'ProcessParameterInvalid', /spatial_extent/],
      ['reversed dates', variant((b) => (nodeOf(b, 'load_collection').arguments.temporal_extent = ['2023-08-20', '2023-08-10'])), 'TemporalExtentEmpty', /TemporalExtentEmpty/],
      ['unknown format', variant((b) => (nodeOf(b, 'save_result').arguments.format = 'NOPE')), 'FormatUnsupported', /NOPE/],
      ['bad option', variant((b) => ((nodeOf(b, 'save_result').arguments.options as Record<string, unknown>).dtype = 'uint7')), 'ProcessParameterInvalid', /dtype/],
    ];
    for (const [what, body, code, message] of bad) {
      const created = await request(t.app).post('/jobs').set('Authorization', token).send(body);
      assert.equal(created.status, 400, `${what}: ${created.status} ${JSON.stringify(created.body)}`);
      assert.equal(created.body.code, code, what);
      assert.match(created.body.message, message, what);
      const v = await request(t.app).post('/validation').set('Authorization', token).send(body.process).expect(200);
      assert.deepEqual(v.body.errors.map((e: { code: string }) => e.code), [code], what);
    }
    await request(t.app).post('/jobs').set('Authorization', token).send(flood()).expect(201);
    // no data in the range yet is no error of the graph: the catalog may have items by the time the job runs
    await request(t.app).post('/jobs').set('Authorization', token).send(variant((b) => (nodeOf(b, 'load_collection').arguments.temporal_extent = ['2031-01-01', '2031-02-01']))).expect(201);
    // a graph that needs values for its parameters is not run dry
    const withParam = variant((b) => (nodeOf(b, 'load_collection').arguments.temporal_extent = { from_parameter: 'months' }));
    assert.deepEqual((await request(t.app).post('/validation').set('Authorization', token).send(withParam.process).expect(200)).body.errors, []);
  });

  it('an empty time interval is TemporalExtentEmpty; filter_temporal refuses a dimension that is not temporal', async () => {
    const labels = (graph: Record<string, unknown>) => sync({ ...graph, d: { process_id: 'dimension_labels', arguments: { data: { from_node: 'f' }, dimension: 't' }, result: true } });
    const filter = (extent: unknown, dimension?: string) => ({ l: load(), f: { process_id: 'filter_temporal', arguments: { data: { from_node: 'l' }, extent, ...(dimension ? { dimension } : {}) } } });
    for (const extent of [['2023-08-20', '2023-08-10'], ['2023-08-10', '2023-08-10']]) {
      const res = await labels(filter(extent)).expect(400);
      // the process's own exception is the code, as the API allows
      assert.equal(res.body.code, 'TemporalExtentEmpty');
      assert.match(res.body.message, /^TemporalExtentEmpty: .*filter_temporal/);
    }
    // (two equal instants are refused by load_collection's schema already: its items must be unique)
    const loaded = await labels({ f: { ...load(), arguments: { ...load().arguments, temporal_extent: ['2023-08-20', '2023-08-10'] } } }).expect(400);
    assert.match(loaded.body.message, /^TemporalExtentEmpty: .*load_collection/);
    const spatial = await labels(filter(['2023-08-01', '2023-09-01'], 'x')).expect(400);
    assert.equal(spatial.body.code, 'ProcessParameterInvalid');
    assert.match(spatial.body.message, /'x' is not a temporal dimension/);
    assert.match((await labels(filter(['2023-08-01', '2023-09-01'], 'nope')).expect(400)).body.message, /DimensionNotAvailable/);
    assert.equal((await labels(filter(['2023-08-01', '2023-09-01'], 't')).expect(200)).body.length, 8);
  });

  it('rename_labels renames bands and time steps; time labels stay instants; coordinates are refused', async () => {
    const labelsOf = async (graph: Record<string, unknown>, dimension: string) =>
      (await sync({ ...graph, d: { process_id: 'dimension_labels', arguments: { data: { from_node: 'r' }, dimension }, result: true } }).expect(200)).body as string[];
    const rename = (args: Record<string, unknown>) => ({ l: load(['ensemble_flood_extent', 'ensemble_likelihood']), r: { process_id: 'rename_labels', arguments: { data: { from_node: 'l' }, ...args } } });
    assert.deepEqual(await labelsOf(rename({ dimension: 'bands', target: ['flood', 'likelihood'] }), 'bands'), ['flood', 'likelihood']);
    assert.deepEqual(await labelsOf(rename({ dimension: 'bands', target: ['lik'], source: ['ensemble_likelihood'] }), 'bands'), ['ensemble_flood_extent', 'lik']);
    // a swap renames both (renaming one after the other once renamed the first back), and the data follows its label
    const swap = rename({ dimension: 'bands', source: ['ensemble_flood_extent', 'ensemble_likelihood'], target: ['ensemble_likelihood', 'ensemble_flood_extent'] });
    assert.deepEqual(await labelsOf(swap, 'bands'), ['ensemble_likelihood', 'ensemble_flood_extent']);
    const picked = async (graph: Record<string, unknown>, from: string, label: string) =>
      (await sync({
        ...graph,
        p: { process_id: 'reduce_dimension', arguments: { data: { from_node: from }, dimension: 'bands', reducer: { process_graph: { e: { process_id: 'array_element', arguments: { data: { from_parameter: 'data' }, label }, result: true } } } } },
        m: { process_id: 'reduce_dimension', arguments: { data: { from_node: 'p' }, dimension: 't', reducer: reducer('max') } },
        s: { process_id: 'save_result', arguments: { data: { from_node: 'm' }, format: 'netCDF' }, result: true },
      }).buffer(true).parse(binary).expect(200)).body as Buffer;
    const plain = { l: load(['ensemble_flood_extent', 'ensemble_likelihood']) };
    assert.ok((await picked(swap, 'r', 'ensemble_likelihood')).equals(await picked(plain, 'l', 'ensemble_flood_extent')), 'the renamed label holds the other band');
    const times = (await sync({ l: load(), d: { process_id: 'dimension_labels', arguments: { data: { from_node: 'l' }, dimension: 't' }, result: true } })).body as string[];
    const days = times.map((_, i) => `2024-01-${String(i + 1).padStart(2, '0')}`);
    // kept as UTC date-times, the form of the catalog's labels (merge_cubes matches steps by label)
    const instants = days.map((d) => `${d}T00:00:00Z`);
    assert.deepEqual(await labelsOf(rename({ dimension: 't', target: days }), 't'), instants);
    // the renamed labels are what later filters see
    const f2 = await sync({
      ...rename({ dimension: 't', target: days }),
      f: { process_id: 'filter_temporal', arguments: { data: { from_node: 'r' }, extent: ['2024-01-02', '2024-01-04'] } },
      d: { process_id: 'dimension_labels', arguments: { data: { from_node: 'f' }, dimension: 't' }, result: true },
    }).expect(200);
    assert.deepEqual(f2.body, instants.slice(1, 3));
    const notTime = await sync({ ...rename({ dimension: 't', target: times.map((_, i) => `step ${i}`) }), d: { process_id: 'dimension_labels', arguments: { data: { from_node: 'r' }, dimension: 't' }, result: true } }).expect(400);
    assert.equal(notTime.body.code, 'ProcessParameterInvalid');
    assert.match(notTime.body.message, /target.*ISO 8601/s);
    const spatial = await sync({ ...rename({ dimension: 'x', target: ['a'] }), d: { process_id: 'dimension_labels', arguments: { data: { from_node: 'r' }, dimension: 'bands' }, result: true } }).expect(400);
    assert.equal(spatial.body.code, 'ProcessParameterInvalid');
    const count = await sync({ ...rename({ dimension: 't', target: days.slice(1) }), d: { process_id: 'dimension_labels', arguments: { data: { from_node: 'r' }, dimension: 't' }, result: true } }).expect(400);
    assert.equal(count.body.code, 'LabelMismatch');
    assert.match(count.body.message, /^LabelMismatch/);
  });

  it('aggregate_temporal_period groups time steps by ISO week', async () => {
    const all = (await sync({ l: load(), d: { process_id: 'dimension_labels', arguments: { data: { from_node: 'l' }, dimension: 't' }, result: true } })).body as string[];
    const weekStart = (s: string) => {
      const d = new Date(s);
      const day = (d.getUTCDay() + 6) % 7;
      return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day)).toISOString().replace('.000Z', 'Z');
    };
    const res = await sync({
      l: load(),
      a: { process_id: 'aggregate_temporal_period', arguments: { data: { from_node: 'l' }, period: 'week', reducer: reducer('max') } },
      d: { process_id: 'dimension_labels', arguments: { data: { from_node: 'a' }, dimension: 't' }, result: true },
    }).expect(200);
    assert.deepEqual(res.body, [...new Set(all.map(weekStart))]);
  });

  it('the time dimension keeps its name in the files (rename_dimension t to time, as xarray users like it)', async () => {
    const small = { ...load(), arguments: { ...load().arguments, spatial_extent: { west: 68.5, south: 27.0, east: 68.53, north: 27.03 } } };
    const renamed = (target: string) => ({ l: small, r: { process_id: 'rename_dimension', arguments: { data: { from_node: 'l' }, source: 't', target } } });
    const nc = await sync({ ...renamed('time'), s: { process_id: 'save_result', arguments: { data: { from_node: 'r' }, format: 'netCDF' }, result: true } }).buffer(true).parse(binary).expect(200);
    const file = path.join(t.dataDir, 'renamed.nc');
    await fs.writeFile(file, nc.body as Buffer);
    const dims = JSON.parse(execFileSync('/usr/bin/python3', ['-c', `
import json, sys, xarray as xr
ds = xr.open_dataset(sys.argv[1])
print(json.dumps({"dims": list(ds['ensemble_likelihood'].dims), "times": [str(v)[:19] for v in ds['time'].values]}))`, file], { encoding: 'utf8' }));
    assert.deepEqual(dims.dims, ['time', 'y', 'x']);
    assert.equal(dims.times.length, 8);
    assert.match(dims.times[0], /^2023-08-\d\dT/);
    const bad = await sync({ ...renamed('time steps'), s: { process_id: 'save_result', arguments: { data: { from_node: 'r' }, format: 'netCDF' }, result: true } }).expect(400);
    assert.match(bad.body.message, /time dimension cannot be called "time steps"/);
  });

  it('aggregate_temporal_period gives every period from the first to the last with data; one without data is no-data', async () => {
    const all = (await sync({ l: load(), d: { process_id: 'dimension_labels', arguments: { data: { from_node: 'l' }, dimension: 't' }, result: true } })).body as string[];
    const dayOf = (s: string) => Math.floor(Date.parse(s) / 86_400_000);
    const first = dayOf(all[0]);
    const days = Array.from({ length: dayOf(all[all.length - 1]) - first + 1 }, (_, i) => new Date((first + i) * 86_400_000).toISOString().replace('.000Z', 'Z'));
    const withData = new Set(all.map((l) => dayOf(l)));
    assert.ok(days.length > withData.size, 'the demo month has days without acquisitions');
    const daily = { l: load(), a: { process_id: 'aggregate_temporal_period', arguments: { data: { from_node: 'l' }, period: 'day', reducer: reducer('mean') } } };
    const labels = await sync({ ...daily, d: { process_id: 'dimension_labels', arguments: { data: { from_node: 'a' }, dimension: 't' }, result: true } }).expect(200);
    assert.deepEqual(labels.body, days);
    // (a small part of the area: thirty days of the whole one are over the synchronous pixel budget)
    const small = { ...daily, l: { ...load(), arguments: { ...load().arguments, spatial_extent: { west: 68.5, south: 27.0, east: 68.56, north: 27.06 } } } };
    const nc = await sync({ ...small, s: { process_id: 'save_result', arguments: { data: { from_node: 'a' }, format: 'netCDF' }, result: true } }).buffer(true).parse(binary).expect(200);
    const file = path.join(t.dataDir, 'daily.nc');
    await fs.writeFile(file, nc.body as Buffer);
    const valid = JSON.parse(execFileSync('/usr/bin/python3', ['-c', `
import json, sys, numpy as np, xarray as xr
v = xr.open_dataset(sys.argv[1])['ensemble_likelihood'].values
print(json.dumps([int(np.isfinite(v[i]).sum()) for i in range(v.shape[0])]))`, file], { encoding: 'utf8' })) as number[];
    assert.equal(valid.length, days.length);
    days.forEach((d, i) => assert.equal(valid[i] > 0, withData.has(dayOf(d)), `${d}: ${valid[i]} valid pixels`));
    // reducers that cannot take an empty period are not asked to: "the first value" and a count give no-data there
    const firstValue = { process_graph: { e: { process_id: 'array_element', arguments: { data: { from_parameter: 'data' }, index: 0 }, result: true } } };
    for (const r of [firstValue, reducer('count')]) {
      const agg = { ...small, a: { ...small.a, arguments: { ...small.a.arguments, reducer: r } } };
      const out = await sync({ ...agg, s: { process_id: 'save_result', arguments: { data: { from_node: 'a' }, format: 'netCDF' }, result: true } }).buffer(true).parse(binary);
      assert.equal(out.status, 200, JSON.stringify(r));
      await fs.writeFile(file, out.body as Buffer);
      const v2 = JSON.parse(execFileSync('/usr/bin/python3', ['-c', `
import json, sys, numpy as np, xarray as xr
v = xr.open_dataset(sys.argv[1])['ensemble_likelihood'].values
print(json.dumps([int(np.isfinite(v[i]).sum()) for i in range(v.shape[0])]))`, file], { encoding: 'utf8' })) as number[];
      days.forEach((d, i) => { if (!withData.has(dayOf(d))) assert.equal(v2[i], 0, `${d} (${JSON.stringify(r).slice(0, 40)})`); });
    }
  });

  it('rejects unknown dimensions and bands with the openEO exceptions', async () => {
    const dim = await sync({ l: load(), r: { process_id: 'reduce_dimension', arguments: { data: { from_node: 'l' }, dimension: 'time', reducer: reducer('max') }, result: true } }).expect(400);
    assert.match(dim.body.message, /DimensionNotAvailable/);
    assert.equal(dim.body.code, 'DimensionNotAvailable');
    const band = await sync({ l: load(), f: { process_id: 'filter_bands', arguments: { data: { from_node: 'l' }, bands: ['nope'] }, result: true } }).expect(400);
    assert.equal(band.body.code, 'ProcessParameterInvalid');
    const none = await sync({ l: { ...load(), arguments: { ...load().arguments, temporal_extent: ['2020-01-01', '2020-02-01'] } }, d: { process_id: 'dimension_labels', arguments: { data: { from_node: 'l' }, dimension: 't' }, result: true } }).expect(400);
    assert.equal(none.body.code, 'NoDataAvailable');
    const elsewhere = await sync({ l: { ...load(), arguments: { ...load().arguments, spatial_extent: { west: 11.0, south: 47.0, east: 11.1, north: 47.1 } } }, d: { process_id: 'dimension_labels', arguments: { data: { from_node: 'l' }, dimension: 't' }, result: true } }).expect(400);
    assert.equal(elsewhere.body.code, 'NoDataAvailable');
    const coll = await sync({ l: { process_id: 'load_collection', arguments: { id: 'NOPE', spatial_extent: BBOX, temporal_extent: null } }, d: { process_id: 'dimension_labels', arguments: { data: { from_node: 'l' }, dimension: 't' }, result: true } }).expect(404);
    assert.equal(coll.body.code, 'CollectionNotFound');
    const bad = await sync({ l: { ...load(), arguments: { ...load().arguments, spatial_extent: { west: 70, south: 27, east: 68, north: 28 } } }, d: { process_id: 'dimension_labels', arguments: { data: { from_node: 'l' }, dimension: 't' }, result: true } }).expect(400);
    assert.match(bad.body.message, /west/);
  });

  it('resample_spatial to EPSG:4326 agrees with gdalwarp (nearest) of the native result', async () => {
    const max = { process_id: 'reduce_dimension', arguments: { data: { from_node: 'l' }, dimension: 't', reducer: reducer('max') } };
    const save = (from: string) => ({ process_id: 'save_result', arguments: { data: { from_node: from }, format: 'GTiff', options: { dtype: 'uint8' } }, result: true });
    const native = await sync({ l: load(), m: max, s: save('m') }).buffer(true).parse(binary).expect(200);
    const warped = await sync({ l: load(), m: max, r: { process_id: 'resample_spatial', arguments: { data: { from_node: 'm' }, projection: 4326, resolution: 0.0002 } }, s: save('r') })
      .buffer(true)
      .parse(binary)
      .expect(200);
    const dir = t.dataDir;
    await fs.writeFile(path.join(dir, 'native.tif'), native.body as Buffer);
    await fs.writeFile(path.join(dir, 'warped.tif'), warped.body as Buffer);
    const script = `
import json, numpy as np
from osgeo import gdal
w = gdal.Open("${dir}/warped.tif")
gt = w.GetGeoTransform()
ref = gdal.Warp("", "${dir}/native.tif", format="MEM", dstSRS="EPSG:4326", resampleAlg="near",
                outputBounds=(gt[0], gt[3] + gt[5] * w.RasterYSize, gt[0] + gt[1] * w.RasterXSize, gt[3]),
                width=w.RasterXSize, height=w.RasterYSize, dstNodata=255)
a = w.GetRasterBand(1).ReadAsArray(); b = ref.GetRasterBand(1).ReadAsArray()
inside = b != 255
print(json.dumps({"epsg": w.GetSpatialRef().GetAuthorityCode(None), "res": gt[1], "diff": float((a[inside] != b[inside]).mean()), "valid": int(inside.sum()),
                  "leaked": int(((~inside) & (a != 255)).sum()), "edge": int(2 * (a.shape[0] + a.shape[1]))}))
`;
    const r = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' }));
    assert.equal(r.epsg, '4326');
    assert.ok(Math.abs(r.res - 0.0002) < 1e-12);
    assert.ok(r.valid > 10000, `has data: ${JSON.stringify(r)}`);
    // Compared where the reference has data; both approximate the transform within 1/8 px.
    assert.ok(r.diff < 0.03, `fraction of differing pixels ${r.diff}`);
    // resampling is pushed down to the items, which hold data beyond the loaded extent: the margin between the
    // native grid's footprint and the new grid stays no-data (at most a pixel's width of rounding along the edge)
    assert.ok(r.leaked <= r.edge, `pixels with data outside the loaded extent: ${JSON.stringify(r)}`);
  });
});

describe('estimates of batch jobs', () => {
  let t: TestApp;
  let token: string;
  before(async () => {
    t = await createTestApp({ env: { CHUNK_THREADS: '0' } });
    await generateDemoData({ size: 'small', outDir: path.join(t.dataDir, 'demo', 'gfm') });
    token = await t.login('estimates');
  });
  after(() => t.close());

  it('derives size and duration from the plan, and grows with the area', async () => {
    const job = (bbox: typeof BBOX) => ({
      process: {
        process_graph: {
          l: { ...load(), arguments: { ...load().arguments, spatial_extent: bbox } },
          s: { process_id: 'save_result', arguments: { data: { from_node: 'l' }, format: 'GTiff', options: { dtype: 'uint8' } }, result: true },
        },
      },
    });
    const est = async (bbox: typeof BBOX) => {
      const id = (await request(t.app).post('/jobs').set('Authorization', token).send(job(bbox)).expect(201)).headers['openeo-identifier'];
      return (await request(t.app).get(`/jobs/${id}/estimate`).set('Authorization', token).expect(200)).body;
    };
    const small = await est({ ...BBOX, east: (BBOX.west + BBOX.east) / 2 });
    const full = await est(BBOX);
    assert.match(full.duration, /^PT\d+S$/);
    assert.ok(full.size > 1.7 * small.size && full.size < 2.5 * small.size, `${small.size} → ${full.size}`);
    // 8 time steps of one uint8 band on the output grid
    assert.equal(full.size % 8, 0);
  });
});

describe('per-load limits', () => {
  it('refuse too many time steps and too large grids with clear errors', async () => {
    const t = await createTestApp({ env: { CHUNK_THREADS: '0', LIMIT_TIME_STEPS: '3', LIMIT_LOAD_PIXELS: '1000000' } });
    try {
      await generateDemoData({ size: 'small', outDir: path.join(t.dataDir, 'demo', 'gfm') });
      const token = await t.login('limits');
      const labels = (args: Record<string, unknown>) =>
        request(t.app)
          .post('/result')
          .set('Authorization', token)
          .send({ process: { process_graph: { l: { ...load(), arguments: { ...load().arguments, ...args } }, d: { process_id: 'dimension_labels', arguments: { data: { from_node: 'l' }, dimension: 't' }, result: true } } } });
      const steps = await labels({ spatial_extent: { west: 68.5, south: 27.0, east: 68.52, north: 27.02 } }).expect(400);
      assert.match(steps.body.message, /time steps.*narrow the temporal extent/);
      const area = await labels({ temporal_extent: ['2023-08-01', '2023-08-03'] }).expect(400);
      assert.match(area.body.message, /narrow the spatial extent/);
    } finally {
      await t.close();
    }
  });
});

describe('apply_dimension over bands', () => {
  let t: TestApp;
  let token: string;
  before(async () => {
    t = await createTestApp({ env: { CHUNK_THREADS: '0' } });
    await generateDemoData({ size: 'small', outDir: path.join(t.dataDir, 'demo', 'gfm') });
    token = await t.login('applydim');
  });
  after(() => t.close());

  const el = (label: string) => ({ process_id: 'array_element', arguments: { data: { from_parameter: 'data' }, label } });
  const exprs = {
    lik: el('ensemble_likelihood'),
    twice: { process_id: 'multiply', arguments: { x: { from_node: 'lik' }, y: 2 } },
    fl: el('ensemble_flood_extent'),
    plus: { process_id: 'add', arguments: { x: { from_node: 'fl' }, y: 10 } },
  };
  const base = {
    l: load(['ensemble_flood_extent', 'ensemble_likelihood']),
    f: { process_id: 'filter_temporal', arguments: { data: { from_node: 'l' }, extent: ['2023-08-01', '2023-08-08'] } },
  };
  const tif = async (graph: Record<string, unknown>, file: string) => {
    const res = await request(t.app).post('/result').set('Authorization', token).send({ process: { process_graph: graph } }).buffer(true).parse(binary).expect(200);
    await fs.writeFile(path.join(t.dataDir, file), res.body as Buffer);
    return path.join(t.dataDir, file);
  };

  it('returns one band per array_create element, equal to the same expressions reduced separately', async () => {
    const save = (from: string) => ({ process_id: 'save_result', arguments: { data: { from_node: from }, format: 'GTiff', options: { dtype: 'float32', multiband: true } }, result: true });
    const applied = await tif({
      ...base,
      a: { process_id: 'apply_dimension', arguments: { data: { from_node: 'f' }, dimension: 'bands', process: { process_graph: { ...exprs, ac: { process_id: 'array_create', arguments: { data: [{ from_node: 'twice' }, { from_node: 'plus' }] }, result: true } } } } },
      r: { process_id: 'reduce_dimension', arguments: { data: { from_node: 'a' }, dimension: 't', reducer: reducer('max') } },
      s: save('r'),
    }, 'applied.tif');
    const one = (result: string) => ({
      ...base,
      b: { process_id: 'reduce_dimension', arguments: { data: { from_node: 'f' }, dimension: 'bands', reducer: { process_graph: { ...exprs, [result]: { ...(exprs as any)[result], result: true } } } } },
      r: { process_id: 'reduce_dimension', arguments: { data: { from_node: 'b' }, dimension: 't', reducer: reducer('max') } },
      s: { process_id: 'save_result', arguments: { data: { from_node: 'r' }, format: 'GTiff', options: { dtype: 'float32' } }, result: true },
    });
    const twice = await tif(one('twice'), 'twice.tif');
    const plus = await tif(one('plus'), 'plus.tif');
    const script = `
import json, numpy as np
from osgeo import gdal
a = gdal.Open("${applied}"); t = gdal.Open("${twice}").ReadAsArray(); p = gdal.Open("${plus}").ReadAsArray()
b1 = a.GetRasterBand(1).ReadAsArray(); b2 = a.GetRasterBand(2).ReadAsArray()
same = lambda x, y: bool(((x == y) | (np.isnan(x) & np.isnan(y))).all())
print(json.dumps({"bands": a.RasterCount, "b1": same(b1, t), "b2": same(b2, p), "valid": int((~np.isnan(b1)).sum())}))
`;
    const r = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' }));
    assert.deepEqual(r, { bands: 2, b1: true, b2: true, valid: r.valid });
    assert.ok(r.valid > 1000);
  });
});
