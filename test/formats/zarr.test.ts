/**
 * Zarr writer: stores written chunk by chunk (scrambled order) to a local folder and to S3 (Swift s3api), read
 * back by xarray (consolidated), GDAL's Zarr driver (also over /vsis3/) and zarrita (v3).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import * as zarr from 'zarrita';
import { createZarrWriter } from '../../src/formats/zarr/index.ts';
import { chunkWindows, type SampleArray } from '../../src/formats/raster-writer.ts';
import { LocalObjectStore, toZarrStore } from '../../src/storage/index.ts';
import { s3TestConfig } from '../storage/s3-env.ts';
import { chunkData, EQUI7_WKT, makeCube, localAndS3Stores, tempStore, UTM33_WKT, writeCube } from './fixtures.ts';
import { gdalOpen, gdalS3Env, xarrayOpen } from './oracles.ts';

const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const b64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64');
const signal = () => new AbortController().signal;
const TIMES = ['2023-01-01T00:00:00Z', '2023-01-13T00:00:00Z', '2023-01-25T10:30:00Z'];

function countEqual(a: SampleArray, v: number): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === v) n++;
  return n;
}

/** Every file under a folder as relative path → bytes. */
function readTree(dir: string, base = dir, out = new Map<string, Buffer>()): Map<string, Buffer> {
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) readTree(p, base, out);
    else out.set(path.relative(base, p), readFileSync(p));
  }
  return out;
}

const uint8Cube = () => makeCube({ variables: [{ name: 'flood', dtype: 'uint8', nodata: 255 }, { name: 'exclusion', dtype: 'uint8', nodata: 255 }] });
const timeCube = () => makeCube({ wkt: UTM33_WKT, epsg: 32633, time: TIMES, variables: [{ name: 'vv', dtype: 'float32', nodata: -9999 }] });

describe('Zarr writer, local store', () => {
  const tmp = tempStore();
  after(() => tmp.cleanup());

  test('v2 + zstd, two uint8 variables in Equi7: xarray and GDAL see values, CRS, coordinates and nodata', async () => {
    const cube = uint8Cube();
    const assets = await writeCube(createZarrWriter(tmp.store, 'u8'), cube);
    assert.deepEqual(assets.map((a) => [a.path, a.type, a.roles]), [['result.zarr', 'application/vnd+zarr', ['data']]]);
    const dir = path.join(tmp.dir, 'u8/result.zarr');
    assert.ok(existsSync(path.join(dir, '.zmetadata')));

    const xr = xarrayOpen('zarr', dir);
    assert.deepEqual(xr.data_vars, ['exclusion', 'flood']);
    assert.ok(xr.coords.includes('spatial_ref'), 'spatial_ref is a coordinate, as rioxarray writes it');
    for (const v of cube.meta.variables) {
      const x = xr.vars[v.name];
      assert.deepEqual(x.dims, ['y', 'x']);
      assert.equal(x.dtype, 'uint8');
      assert.equal(x.fill, 255);
      assert.equal(x.attrs.grid_mapping, 'spatial_ref');
      assert.ok(b64(x.data).equals(bytes(cube.full[v.name])), `${v.name} samples`);
      assert.equal(xr.decoded[v.name].nan, countEqual(cube.full[v.name], 255), 'nodata decodes to NaN');
    }
    const xs = new Float64Array(b64(xr.vars.x.data).buffer.slice(0));
    const ys = new Float64Array(b64(xr.vars.y.data).buffer.slice(0));
    assert.equal(xs.length, 700);
    assert.equal(xs[0], 4_800_010);
    assert.equal(xs[699], 4_800_000 + 20 * 699.5);
    assert.equal(ys[0], 1_499_990);
    assert.equal(ys[499], 1_500_000 - 20 * 499.5);
    assert.equal(xr.vars.spatial_ref.attrs.crs_wkt, EQUI7_WKT);
    assert.equal(xr.vars.spatial_ref.attrs.GeoTransform, '4800000 20 0 1500000 0 -20');
    assert.equal(xr.attrs.Conventions, 'CF-1.8');

    const gd = gdalOpen(`ZARR:"${dir}":/flood`, EQUI7_WKT);
    assert.ok(gd.same_crs, 'GDAL reads the CRS from _CRS');
    assert.deepEqual(gd.size, [700, 500]);
    assert.deepEqual(gd.geotransform, [4_800_000, 20, 0, 1_500_000, 0, -20]);
    assert.equal(gd.bands[0].nodata, 255);
    assert.ok(b64(gd.bands[0].data).equals(bytes(cube.full.flood)));
  });

  test('float32 time cube with an EPSG CRS, blosc: times decode, GDAL reads each time step', async () => {
    const cube = timeCube();
    await writeCube(createZarrWriter(tmp.store, 'f32t', { codec: 'blosc', name: 'cube' }), cube);
    const dir = path.join(tmp.dir, 'f32t/cube.zarr');
    const xr = xarrayOpen('zarr', dir);
    assert.deepEqual(xr.vars.t.iso, ['2023-01-01T00:00:00', '2023-01-13T00:00:00', '2023-01-25T10:30:00']);
    assert.deepEqual(xr.vars.vv.dims, ['t', 'y', 'x']);
    assert.equal(xr.vars.vv.dtype, 'float32');
    assert.equal(xr.vars.vv.fill, -9999);
    assert.ok(b64(xr.vars.vv.data).equals(bytes(cube.full.vv)));

    const gd = gdalOpen(`ZARR:"${dir}":/vv:2`, UTM33_WKT);
    assert.ok(gd.same_crs);
    assert.deepEqual(gd.geotransform, [4_800_000, 20, 0, 1_500_000, 0, -20]);
    assert.equal(gd.bands[0].nodata, -9999);
    const plane = 700 * 500;
    assert.ok(b64(gd.bands[0].data).equals(bytes(cube.full.vv.subarray(2 * plane))));
  });

  test('a third dimension labelled 0..n-1 (apply_dimension) is written as integer indices without time units', async () => {
    const cube = makeCube({ time: ['0', '1', '2'], variables: [{ name: 'q', dtype: 'float32', nodata: NaN }] });
    await writeCube(createZarrWriter(tmp.store, 'index'), cube);
    const xr = xarrayOpen('zarr', path.join(tmp.dir, 'index/result.zarr'));
    assert.equal(xr.vars.t.dtype, 'int64');
    assert.deepEqual(Array.from(new BigInt64Array(Uint8Array.from(b64(xr.vars.t.data)).buffer), Number), [0, 1, 2]);
    assert.equal(xr.vars.t.attrs.units, undefined);
    assert.deepEqual(xr.vars.q.dims, ['t', 'y', 'x']);
    assert.ok(b64(xr.vars.q.data).equals(bytes(cube.full.q)));
  });

  test('zlib, none and blosc-zlib with shuffled 16-bit integers all decode in numcodecs', async () => {
    const cube = makeCube({ chunk: 128, variables: [{ name: 'u16', dtype: 'uint16', nodata: 65535 }, { name: 'i16', dtype: 'int16', nodata: null }, { name: 'f64', dtype: 'float64', nodata: NaN }] });
    const variants = [{ codec: 'zlib' as const }, { codec: 'none' as const }, { codec: 'blosc' as const, bloscInner: 'zlib' as const, level: 3 }];
    for (const [i, options] of variants.entries()) {
      await writeCube(createZarrWriter(tmp.store, `codec${i}`, options), cube);
      const xr = xarrayOpen('zarr', path.join(tmp.dir, `codec${i}/result.zarr`));
      for (const v of cube.meta.variables) assert.ok(b64(xr.vars[v.name].data).equals(bytes(cube.full[v.name])), `${options.codec} ${v.name}`);
      assert.equal(xr.vars.i16.fill, null, 'no nodata, no _FillValue');
      assert.equal(xr.vars.f64.fill, 'NaN');
    }
  });

  test('v3: zarrita reads metadata, dimension names, time and samples', async () => {
    const cube = timeCube();
    await writeCube(createZarrWriter(tmp.store, 'v3', { zarrFormat: 3, timeChunk: 2 }), cube);
    const root = toZarrStore(new LocalObjectStore(tmp.dir), 'v3/result.zarr');
    const group = await zarr.open.v3(root, { kind: 'group' });
    assert.equal(group.attrs.Conventions, 'CF-1.8');
    const vv = await zarr.open.v3(group.resolve('vv'), { kind: 'array' });
    assert.deepEqual(vv.shape, [3, 500, 700]);
    assert.deepEqual(vv.chunks, [2, 256, 256]);
    assert.equal(vv.attrs._FillValue, -9999);
    const meta = JSON.parse(readFileSync(path.join(tmp.dir, 'v3/result.zarr/vv/zarr.json'), 'utf8'));
    assert.deepEqual(meta.dimension_names, ['t', 'y', 'x']);
    const all = await zarr.get(vv);
    assert.ok(bytes(all.data as Float32Array).equals(bytes(cube.full.vv)));
    const t = await zarr.get(await zarr.open.v3(group.resolve('t'), { kind: 'array' }));
    assert.deepEqual(Array.from(t.data as BigInt64Array, Number), TIMES.map((s) => Date.parse(s) / 1000));
    const rootDoc = JSON.parse(readFileSync(path.join(tmp.dir, 'v3/result.zarr/zarr.json'), 'utf8'));
    assert.ok(rootDoc.consolidated_metadata.metadata.vv, 'consolidated metadata inline');
  });

  test('chunks are idempotent and order-independent; all-nodata chunks are left out', async () => {
    const cube = uint8Cube();
    // Make the chunk at (256, 256) entirely nodata.
    for (let y = 256; y < 500; y++) cube.full.flood.fill(255, y * 700 + 256, y * 700 + 512);
    const a = createZarrWriter(tmp.store, 'idem-a');
    await writeCube(a, cube);
    const b = createZarrWriter(tmp.store, 'idem-b');
    await b.begin(cube.meta, signal());
    const windows = [...chunkWindows(cube.meta)].reverse();
    for (const w of windows) await b.writeChunk(cube.meta, w, chunkData(cube, w), signal());
    await b.writeChunk(cube.meta, windows[2], chunkData(cube, windows[2]), signal()); // a retried chunk
    await b.finish(cube.meta, signal());
    const treeA = readTree(path.join(tmp.dir, 'idem-a'));
    const treeB = readTree(path.join(tmp.dir, 'idem-b'));
    assert.deepEqual([...treeA.keys()].sort(), [...treeB.keys()].sort());
    for (const [k, v] of treeA) assert.ok(v.equals(treeB.get(k)!), k);
    assert.ok(!treeA.has('result.zarr/flood/1.1'), 'empty chunk skipped');
    assert.ok(treeA.has('result.zarr/exclusion/1.1'));
    const xr = xarrayOpen('zarr', path.join(tmp.dir, 'idem-a/result.zarr'));
    assert.ok(b64(xr.vars.flood.data).equals(bytes(cube.full.flood)), 'missing chunk reads as fill value');
  });

  test('rejects windows that are not whole chunks, rotated grids and bad options', async () => {
    const cube = uint8Cube();
    const w = createZarrWriter(tmp.store, 'bad');
    await assert.rejects(w.writeChunk(cube.meta, { x0: 10, y0: 0, width: 256, height: 256 }, {}, signal()), /not a whole output chunk/);
    const rotated = { ...cube.meta, grid: { ...cube.meta.grid, transform: [20, 1, 0, 0, -20, 0] as [number, number, number, number, number, number] } };
    await assert.rejects(w.begin(rotated, signal()), { name: 'OpenEOError', code: 'ProcessParameterInvalid' });
    assert.throws(() => createZarrWriter(tmp.store, 'bad', { zarrFormat: 4 as 2 }), { code: 'ProcessParameterInvalid' });
    await assert.rejects(createZarrWriter(tmp.store, 'bad', { codec: 'lzma' as 'zstd' }).begin(cube.meta, signal()), { code: 'ProcessParameterInvalid' });
    const aborted = AbortSignal.abort();
    await assert.rejects(w.begin(cube.meta, aborted), { name: 'AbortError' });
  });
});

describe('Zarr writer, S3 store', () => {
  const stores = localAndS3Stores();
  const { tmp } = stores;

  test('the S3 store holds the same objects as the local one, and GDAL reads it over /vsis3/', async () => {
    const cube = timeCube();
    await writeCube(createZarrWriter(stores.s3, 'job', { concurrency: 8 }), cube);
    await writeCube(createZarrWriter(tmp.store, 'job'), cube);
    const local = readTree(tmp.dir);
    const remote = new Map<string, Buffer>();
    for await (const e of stores.s3.list('job/')) remote.set(e.key, Buffer.from((await stores.s3.get(e.key))!));
    assert.deepEqual([...remote.keys()].sort(), [...local.keys()].sort());
    for (const [k, v] of local) assert.ok(v.equals(remote.get(k)!), k);

    const cfg = s3TestConfig();
    const bucketPath = stores.s3.url.replace(/^s3:\/\//, '');
    const env = gdalS3Env(cfg.endpoint!, cfg.credentials!.accessKeyId, cfg.credentials!.secretAccessKey);
    const gd = gdalOpen(`ZARR:"/vsis3/${bucketPath}/job/result.zarr":/vv:1`, UTM33_WKT, env);
    assert.ok(gd.same_crs);
    assert.deepEqual(gd.geotransform, [4_800_000, 20, 0, 1_500_000, 0, -20]);
    assert.ok(b64(gd.bands[0].data).equals(bytes(cube.full.vv.subarray(700 * 500, 2 * 700 * 500))));
  });
});
