/** COGs from our writer as GDAL sees them: size, georeferencing, CRS, nodata, overviews, COG layout, pixels. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeCog } from '../../src/formats/cog/index.ts';
import { gdalInfo, gdalReadBand, validateCog } from './gdal-oracle.ts';
import { EQUI7_ASIA_PROJ4, bytesOf, fullBand, tempDir, tileSource } from './fixtures.ts';

const W = 1300;
const H = 900;

const EQUI7_WKT1 =
  'PROJCS["Azimuthal_Equidistant",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],' +
  'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Azimuthal_Equidistant"],' +
  'PARAMETER["latitude_of_center",47],PARAMETER["longitude_of_center",94],PARAMETER["false_easting",4340913.84808],' +
  'PARAMETER["false_northing",4812712.92347],UNIT["metre",1]]';

function assertPixelsAndLayout(path: string, bands = 1): void {
  const v = validateCog(path);
  assert.ok(v.ok, v.output);
  assert.doesNotMatch(v.output, /warning/i);
  for (let b = 0; b < bands; b++) {
    assert.ok(gdalReadBand(path, b + 1).equals(bytesOf(fullBand('uint8', b, W, H))), `band ${b + 1} pixels differ`);
  }
}

for (const compression of ['zstd', 'deflate'] as const) {
  test(`EPSG:4326 uint8 ${compression}: size, geotransform, nodata, CRS, overviews, pixels`, async (t) => {
    const path = join(tempDir(t), 'a.tif');
    const gt = [10, 0.001, 0, 50, 0, -0.001] as const;
    const res = await writeCog(
      path,
      { width: W, height: H, dtype: 'uint8', compression, nodata: 255, crs: { epsg: 4326 }, geoTransform: gt },
      tileSource('uint8', W, H, 512),
    );
    assert.equal(res.bigTiff, false);
    assert.equal(res.bytes, readFileSync(path).length);
    const info = gdalInfo(path);
    assert.deepEqual(info.size, [W, H]);
    assert.deepEqual(info.geoTransform, [...gt]);
    assert.match(info.coordinateSystem.wkt, /ID\["EPSG",4326\]\]$/);
    const band = info.bands[0];
    assert.equal(band.noDataValue, 255);
    assert.equal(band.type, 'Byte');
    assert.deepEqual(band.block, [512, 512]);
    assert.deepEqual(
      band.overviews.map((o: { size: number[] }) => o.size),
      [
        [650, 450],
        [325, 225],
      ],
    );
    assert.equal(info.metadata['IMAGE_STRUCTURE'].COMPRESSION, compression.toUpperCase());
    assertPixelsAndLayout(path);
  });
}

test('EPSG:32633 with deflate: projected EPSG code, pixel size and origin', async (t) => {
  const path = join(tempDir(t), 'utm.tif');
  const gt = [500000, 20, 0, 5000000, 0, -20] as const;
  await writeCog(
    path,
    { width: W, height: H, dtype: 'uint8', compression: 'deflate', nodata: 0, crs: { epsg: 32633 }, geoTransform: gt },
    tileSource('uint8', W, H, 512, true),
  );
  const info = gdalInfo(path);
  assert.deepEqual(info.geoTransform, [...gt]);
  assert.match(info.coordinateSystem.wkt, /UTM zone 33N/);
  assert.match(info.coordinateSystem.wkt, /ID\["EPSG",32633\]\]$/);
  assert.equal(info.bands[0].noDataValue, 0);
  assertPixelsAndLayout(path);
});

for (const [label, crs] of [
  ['proj4 string', { proj4: EQUI7_ASIA_PROJ4, name: 'Equi7 Asia' }],
  ['WKT1', { wkt: EQUI7_WKT1 }],
] as const) {
  test(`Equi7 Asia user-defined Azimuthal Equidistant from ${label}`, async (t) => {
    const path = join(tempDir(t), 'equi7.tif');
    const gt = [1500000, 20, 0, 3000000, 0, -20] as const;
    await writeCog(
      path,
      { width: W, height: H, dtype: 'uint8', compression: 'zstd', nodata: 255, crs, geoTransform: gt },
      tileSource('uint8', W, H, 512),
    );
    const info = gdalInfo(path);
    assert.deepEqual(info.geoTransform, [...gt]);
    const wkt: string = info.coordinateSystem.wkt;
    assert.match(wkt, /METHOD\["(Modified )?Azimuthal Equidistant"/);
    assert.match(wkt, /PARAMETER\["Latitude of natural origin",47,/);
    assert.match(wkt, /PARAMETER\["Longitude of natural origin",94,/);
    assert.match(wkt, /PARAMETER\["False easting",4340913.84808,/);
    assert.match(wkt, /PARAMETER\["False northing",4812712.92347,/);
    assert.match(wkt, /ELLIPSOID\["WGS 84",6378137,298.257223563/);
    const proj4: string = info.coordinateSystem.proj4;
    for (const p of ['+proj=aeqd', '+lat_0=47', '+lon_0=94', '+x_0=4340913.84808', '+y_0=4812712.92347', '+units=m'])
      assert.ok(proj4.includes(p), `${p} missing in ${proj4}`);
    assertPixelsAndLayout(path);
  });
}

test('overview pixels are nearest samples of the full resolution (every 2^level-th pixel)', async (t) => {
  const path = join(tempDir(t), 'ovr.tif');
  await writeCog(path, { width: W, height: H, dtype: 'uint8', tileSize: 256 }, tileSource('uint8', W, H, 256));
  const full = fullBand('uint8', 0, W, H);
  const info = gdalInfo(path);
  assert.deepEqual(
    info.bands[0].overviews.map((o: { size: number[] }) => o.size),
    [
      [650, 450],
      [325, 225],
      [163, 113],
    ],
  );
  for (const [i, [w, h]] of [
    [650, 450],
    [325, 225],
    [163, 113],
  ].entries()) {
    const f = 2 ** (i + 1);
    const got = gdalReadBand(path, 1, i);
    const want = Buffer.alloc(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) want[y * w + x] = full[y * f * W + x * f];
    assert.ok(got.equals(want), `overview ${i} differs`);
  }
  assert.ok(validateCog(path).ok);
});

test('rotated geotransform is written as ModelTransformation', async (t) => {
  const path = join(tempDir(t), 'rot.tif');
  const gt = [1000, 10, 2, 5000, 3, -10] as const;
  await writeCog(path, { width: 600, height: 300, dtype: 'uint8', geoTransform: gt, crs: { epsg: 32633 } }, () =>
    new Uint8Array(512 * 512).fill(7),
  );
  assert.deepEqual(gdalInfo(path).geoTransform, [...gt]);
});
