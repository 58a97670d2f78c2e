/** The shared writer contract: validation of raster descriptions and windows, coordinates and time encoding. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chunkSamples, chunkWindows, gdalGeoTransform, pixelCentres, type RasterMeta, timeSeconds, validateMeta, validateWindow } from '../../src/formats/raster-writer.ts';
import { bloscEncode, byteShuffle } from '../../src/formats/zarr/blosc.ts';
import { layoutFile, NC_DOUBLE, textAttr, toBigEndian } from '../../src/formats/netcdf/cdf-format.ts';

const meta = (over: Partial<RasterMeta> = {}): RasterMeta => ({
  grid: { crs: { wkt: 'LOCAL_CS["x"]' }, transform: [10, 0, 1000, 0, -10, 5000], width: 25, height: 12 },
  chunk: { width: 10, height: 5 },
  variables: [{ name: 'b', dtype: 'uint8', nodata: 255 }],
  ...over,
});

describe('raster writer contract', () => {
  test('validateMeta names the problem', () => {
    validateMeta(meta());
    const bad: [Partial<RasterMeta>, RegExp][] = [
      [{ variables: [] }, /at least one variable/],
      [{ variables: [{ name: 'x', dtype: 'uint8', nodata: null }] }, /reserved/],
      [{ variables: [{ name: 'a', dtype: 'uint8', nodata: 256 }] }, /not representable/],
      [{ variables: [{ name: 'a', dtype: 'int16', nodata: 1.5 }] }, /not representable/],
      [{ variables: [{ name: 'a b', dtype: 'uint8', nodata: null }] }, /must start with a letter/],
      [{ variables: [{ name: 'a', dtype: 'uint8', nodata: null }, { name: 'a', dtype: 'uint8', nodata: null }] }, /used twice/],
      [{ variables: [{ name: 'a', dtype: 'int64' as 'int32', nodata: null }] }, /Unsupported data type/],
      [{ chunk: { width: 0, height: 5 } }, /chunk.width/],
      [{ time: { labels: ['yesterday'] } }, /not an ISO 8601 instant/],
    ];
    for (const [over, message] of bad) assert.throws(() => validateMeta(meta(over)), { code: 'ProcessParameterInvalid', message });
    validateMeta(meta({ variables: [{ name: 'f', dtype: 'float32', nodata: NaN }] }));
  });

  test('windows must be whole chunks; chunkWindows yields exactly those', () => {
    const m = meta();
    const windows = [...chunkWindows(m)];
    assert.equal(windows.length, 9);
    assert.deepEqual(windows[8], { x0: 20, y0: 10, width: 5, height: 2 });
    for (const w of windows) validateWindow(m, w);
    assert.throws(() => validateWindow(m, { x0: 20, y0: 10, width: 10, height: 2 }), /not a whole output chunk/);
    assert.throws(() => chunkSamples(m, m.variables[0], windows[0], { b: new Uint8Array(3) }), /expected 50/);
    const unaligned = new Uint8Array(101).subarray(1);
    assert.equal(chunkSamples(meta({ variables: [{ name: 'b', dtype: 'uint16', nodata: null }] }), { name: 'b', dtype: 'uint16', nodata: null }, windows[0], { b: unaligned }).length, 50);
  });

  test('pixel centres, GDAL geotransform and UTC time', () => {
    const m = meta();
    assert.deepEqual([...pixelCentres(m.grid, 'x').subarray(0, 2)], [1005, 1015]);
    assert.deepEqual([...pixelCentres(m.grid, 'y').subarray(0, 2)], [4995, 4985]);
    assert.equal(gdalGeoTransform(m.grid), '1000 10 0 5000 0 -10');
    assert.deepEqual(timeSeconds(['1970-01-02', '1970-01-01T00:01:00', '1970-01-01T01:00:00+01:00', '1970-01-01T00:00:00.5Z']), [86400, 60, 0, 0.5]);
  });

  test('blosc frames: header fields, absolute block offsets, stored blocks when incompressible', () => {
    assert.deepEqual([...byteShuffle(new Uint8Array([1, 2, 3, 4, 5, 6]), 2)], [1, 3, 5, 2, 4, 6]);
    const data = new Uint8Array(10);
    const frame = bloscEncode(data, 2, 'zstd', (b) => new Uint8Array(b.length + 1), true, 4);
    const v = new DataView(frame.buffer);
    assert.equal(frame[0], 2);
    assert.equal(frame[2], 0x01 | 0x10 | (4 << 5));
    assert.equal(v.getUint32(4, true), 10);
    assert.equal(v.getUint32(8, true), 4);
    assert.equal(v.getUint32(12, true), frame.length);
    assert.equal(v.getInt32(16, true), 16 + 3 * 4, 'first block starts after the offsets');
    assert.equal(v.getInt32(28, true), 4, 'incompressible block stored raw with csize = block size');
  });

  test('netCDF header: variables laid out after the header, 4-byte aligned', () => {
    const l = layoutFile({
      dims: [['x', 3]],
      attributes: [['title', textAttr('abc')]],
      variables: [{ name: 'x', dims: [0], type: NC_DOUBLE, attributes: [] }, { name: 'b', dims: [0], type: 1, attributes: [] }],
    });
    assert.equal(l.begins[0], l.header.length);
    assert.deepEqual(l.sizes, [24, 4]);
    assert.equal(l.totalSize, l.header.length + 28);
    assert.deepEqual([...toBigEndian(new Uint16Array([0x0102]), 2)], [1, 2]);
  });
});
