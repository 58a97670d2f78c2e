/** Every data type, both interleaves, predictors and BigTIFF read back bit-identical through GDAL. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { type CogDType, type CogOptions, writeCog } from '../../src/formats/cog/index.ts';
import { gdalInfo, gdalReadBand, validateCog } from './gdal-oracle.ts';
import { bytesOf, fullBand, tempDir, tileSource } from './fixtures.ts';

// Small images with 128-px tiles keep this fast while still having partial edge tiles and two overview levels.
const W = 300;
const H = 200;
const T = 128;

const GDAL_TYPE: Record<CogDType, string> = {
  uint8: 'Byte',
  uint16: 'UInt16',
  int16: 'Int16',
  uint32: 'UInt32',
  int32: 'Int32',
  float32: 'Float32',
  float64: 'Float64',
};

async function roundTrip(t: { after: (fn: () => void) => void }, o: Omit<CogOptions, 'width' | 'height'>) {
  const path = join(tempDir(t), 'x.tif');
  const opts: CogOptions = { width: W, height: H, tileSize: T, crs: { epsg: 3857 }, geoTransform: [0, 10, 0, 0, 0, -10], ...o };
  const result = await writeCog(path, opts, tileSource(o.dtype, W, H, T));
  const info = gdalInfo(path);
  const bands = o.bands ?? 1;
  assert.equal(info.bands.length, bands);
  for (let b = 0; b < bands; b++) {
    assert.equal(info.bands[b].type, GDAL_TYPE[o.dtype]);
    const got = gdalReadBand(path, b + 1);
    assert.ok(got.equals(bytesOf(fullBand(o.dtype, b, W, H))), `${o.dtype} band ${b + 1} differs`);
    assert.equal(info.bands[b].overviews.length, 2);
  }
  const v = validateCog(path);
  assert.ok(v.ok, v.output);
  return { info, result };
}

const cases: [CogDType, CogOptions['predictor']][] = [
  ['uint8', 2],
  ['uint16', 2],
  ['int16', 2],
  ['uint32', 1],
  ['int32', 2],
  ['float32', 3],
  ['float64', 3],
];

for (const [dtype, predictor] of cases) {
  test(`${dtype}: single band, zstd, predictor ${predictor}`, async (t) => {
    const { info } = await roundTrip(t, { dtype, predictor, compression: 'zstd' });
    if (predictor !== 1) assert.equal(info.metadata['IMAGE_STRUCTURE'].PREDICTOR, String(predictor));
  });
}

test('int16, 3 bands, pixel interleave, deflate, predictor 2, nodata -32768', async (t) => {
  const { info } = await roundTrip(t, { dtype: 'int16', bands: 3, predictor: 2, compression: 'deflate', nodata: -32768 });
  assert.equal(info.metadata['IMAGE_STRUCTURE'].INTERLEAVE, 'PIXEL');
  assert.equal(info.bands[2].noDataValue, -32768);
});

test('float32, 2 bands, band interleave, zstd, predictor 3, NaN nodata', async (t) => {
  const { info } = await roundTrip(t, { dtype: 'float32', bands: 2, predictor: 3, interleave: 'band', nodata: NaN });
  assert.equal(info.metadata['IMAGE_STRUCTURE'].INTERLEAVE, 'BAND');
  assert.equal(info.bands[1].noDataValue, 'NaN');
});

test('uint16 without compression, two bands', async (t) => {
  await roundTrip(t, { dtype: 'uint16', bands: 2, compression: 'none' });
});

test('BigTIFF on request: same pixels, still a valid COG', async (t) => {
  const { result } = await roundTrip(t, { dtype: 'uint16', bands: 2, bigTiff: true });
  assert.equal(result.bigTiff, true);
});

test('overviews can be capped or disabled', async (t) => {
  const dir = tempDir(t);
  const base = { width: W, height: H, dtype: 'uint8', tileSize: T } as const;
  await writeCog(join(dir, 'one.tif'), { ...base, overviews: 1 }, tileSource('uint8', W, H, T));
  await writeCog(join(dir, 'none.tif'), { ...base, overviews: false }, tileSource('uint8', W, H, T));
  assert.equal(gdalInfo(join(dir, 'one.tif')).bands[0].overviews.length, 1);
  assert.equal(gdalInfo(join(dir, 'none.tif')).bands[0].overviews, undefined);
});
