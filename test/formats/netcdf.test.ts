/**
 * netCDF classic writer: files assembled from staged chunks, read back by xarray (scipy and netCDF4 engines) and
 * GDAL's netCDF driver; the S3 variant must produce the same file and leave no staging objects behind.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { createNetcdfWriter } from '../../src/formats/netcdf/index.ts';
import { chunkWindows } from '../../src/formats/raster-writer.ts';
import { chunkData, EQUI7_WKT, makeCube, localAndS3Stores, tempStore, UTM33_WKT, writeCube } from './fixtures.ts';
import { gdalOpen, xarrayOpen } from './oracles.ts';

const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const b64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64');
const signal = () => new AbortController().signal;
const TIMES = ['2023-01-01T00:00:00Z', '2023-01-13T00:00:00Z', '2023-01-25T10:30:00Z'];
const PLANE = 700 * 500;

const uint8Cube = () => makeCube({ variables: [{ name: 'flood', dtype: 'uint8', nodata: 255 }, { name: 'exclusion', dtype: 'uint8', nodata: 255 }] });
const timeCube = () =>
  makeCube({ wkt: UTM33_WKT, epsg: 32633, time: TIMES, chunk: 200, variables: [{ name: 'vv', dtype: 'float32', nodata: -9999 }, { name: 'count', dtype: 'uint16', nodata: null }] });

describe('netCDF writer, local store', () => {
  const tmp = tempStore();
  after(() => tmp.cleanup());

  test('two uint8 variables in Equi7: xarray (scipy, netCDF4) and GDAL read values, CRS and nodata', async () => {
    const cube = uint8Cube();
    const assets = await writeCube(createNetcdfWriter(tmp.store, 'u8'), cube);
    assert.deepEqual(assets.map((a) => [a.path, a.type, a.roles]), [['result.nc', 'application/x-netcdf', ['data']]]);
    const file = path.join(tmp.dir, 'u8/result.nc');
    assert.deepEqual([...readFileSync(file).subarray(0, 4)], [0x43, 0x44, 0x46, 2], 'CDF-2 magic');
    assert.ok(!existsSync(path.join(tmp.dir, 'u8/.staging/result.nc')) || readdirSync(path.join(tmp.dir, 'u8/.staging/result.nc')).length === 0, 'staging removed');

    for (const engine of ['scipy', 'netcdf4'] as const) {
      const xr = xarrayOpen(engine, file);
      assert.equal(xr.attrs.Conventions, 'CF-1.8');
      assert.equal(xr.vars.crs.attrs.crs_wkt, EQUI7_WKT);
      assert.equal(xr.vars.crs.attrs.GeoTransform, '4800000 20 0 1500000 0 -20');
      for (const v of cube.meta.variables) {
        const x = xr.vars[v.name];
        assert.deepEqual(x.dims, ['y', 'x']);
        assert.equal(x.attrs.grid_mapping, 'crs');
        // Stored as signed bytes with _Unsigned; decoding restores uint8 and masks 255.
        assert.ok(b64(x.data).equals(bytes(cube.full[v.name])), `${engine} ${v.name}`);
        assert.equal(xr.decoded[v.name].dtype, 'float32');
        assert.ok(xr.decoded[v.name].nan > 0);
      }
      const xs = new Float64Array(b64(xr.vars.x.data).buffer.slice(0));
      assert.equal(xs[0], 4_800_010);
    }

    const gd = gdalOpen(`NETCDF:"${file}":flood`, EQUI7_WKT);
    assert.ok(gd.same_crs);
    assert.deepEqual(gd.size, [700, 500]);
    assert.deepEqual(gd.geotransform, [4_800_000, 20, 0, 1_500_000, 0, -20]);
    assert.equal(gd.bands[0].type, 'Byte');
    assert.equal(gd.bands[0].nodata, 255);
    assert.ok(b64(gd.bands[0].data).equals(bytes(cube.full.flood)));
  });

  test('time cube with float32 and uint16 without nodata, EPSG CRS: times, bands per step, values', async () => {
    const cube = timeCube();
    await writeCube(createNetcdfWriter(tmp.store, 'tc', { name: 'cube' }), cube);
    const file = path.join(tmp.dir, 'tc/cube.nc');
    const xr = xarrayOpen('scipy', file);
    assert.deepEqual(xr.vars.t.iso, ['2023-01-01T00:00:00', '2023-01-13T00:00:00', '2023-01-25T10:30:00']);
    assert.deepEqual(xr.vars.vv.dims, ['t', 'y', 'x']);
    assert.equal(xr.vars.vv.fill, -9999);
    assert.ok(b64(xr.vars.vv.data).equals(bytes(cube.full.vv)));
    assert.equal(xr.vars.count.fill, null);
    assert.equal(xr.decoded.count.dtype, 'uint16');

    const gd = gdalOpen(`NETCDF:"${file}":vv`, UTM33_WKT);
    assert.ok(gd.same_crs);
    assert.equal(gd.bands.length, 3);
    gd.bands.forEach((b, t) => assert.ok(b64(b.data).equals(bytes(cube.full.vv.subarray(t * PLANE, (t + 1) * PLANE))), `band ${t + 1}`));
    const counts = gdalOpen(`NETCDF:"${file}":count`, UTM33_WKT);
    assert.equal(counts.bands[2].type, 'UInt16');
    assert.ok(b64(counts.bands[2].data).equals(bytes(cube.full.count.subarray(2 * PLANE))));
  });

  test('chunks never written read as nodata; a repeated finish keeps the file', async () => {
    const cube = uint8Cube();
    const w = createNetcdfWriter(tmp.store, 'partial');
    await w.begin(cube.meta, signal());
    const windows = [...chunkWindows(cube.meta)];
    for (const win of windows.slice(1)) await w.writeChunk(cube.meta, win, chunkData(cube, win), signal());
    await w.finish(cube.meta, signal());
    const file = path.join(tmp.dir, 'partial/result.nc');
    const first = readFileSync(file);
    await w.finish(cube.meta, signal());
    assert.ok(readFileSync(file).equals(first));
    const gd = gdalOpen(`NETCDF:"${file}":flood`, EQUI7_WKT);
    const px = b64(gd.bands[0].data);
    assert.notEqual(cube.full.flood[1], 255);
    assert.equal(px[1], 255, 'the first chunk was never written');
    assert.equal(px[255 * 700 + 254], 255);
    assert.equal(px[256], cube.full.flood[256]);
  });

  test('a variable without nodata must have all its chunks', async () => {
    const cube = makeCube({ variables: [{ name: 'n', dtype: 'int16', nodata: null }] });
    const w = createNetcdfWriter(tmp.store, 'missing');
    await w.begin(cube.meta, signal());
    await assert.rejects(w.finish(cube.meta, signal()), /never written/);
  });
});

describe('netCDF writer, S3 store', () => {
  const stores = localAndS3Stores();
  const { tmp } = stores;

  test('the uploaded file equals the local one and staging objects are gone', async () => {
    const cube = timeCube();
    await writeCube(createNetcdfWriter(stores.s3, 'job'), cube);
    await writeCube(createNetcdfWriter(tmp.store, 'job'), cube);
    const keys: string[] = [];
    for await (const e of stores.s3.list('job/')) keys.push(e.key);
    assert.deepEqual(keys, ['job/result.nc']);
    const remote = Buffer.from((await stores.s3.get('job/result.nc'))!);
    assert.ok(remote.equals(readFileSync(path.join(tmp.dir, 'job/result.nc'))));
  });
});
