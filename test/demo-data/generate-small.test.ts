/** The `small` demo collection end to end: STAC contract, value domains, GDAL's view of the COGs, determinism. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isOpenEOError } from '../../src/errors.ts';
import { EQUI7_ASIA_WKT, type DemoProgress, generateDemoData, planDemo } from '../../src/demo-data/index.ts';

const gdalCompression = (path: string): string =>
  JSON.parse(execFileSync('gdalinfo', ['-json', path], { encoding: 'utf8' })).metadata['IMAGE_STRUCTURE'].COMPRESSION;

const root = mkdtempSync(join(tmpdir(), 'demo-small-'));
const outDir = join(root, 'gfm');
const progress: DemoProgress[] = [];
// STAC JSON read back from disk is loosely typed.
type Json = any;
let items: Json[] = [];
let collection: Json;

before(async () => {
  await generateDemoData({ size: 'small', outDir, seed: 7, onProgress: (p) => progress.push(p) });
  collection = JSON.parse(readFileSync(join(outDir, 'collection.json'), 'utf8'));
  items = readdirSync(join(outDir, 'items')).map((f) => JSON.parse(readFileSync(join(outDir, 'items', f), 'utf8')));
});
after(() => rmSync(root, { recursive: true, force: true }));

const STATS_SCRIPT = `
import sys, json
import numpy as np
from osgeo import gdal
gdal.UseExceptions()
out = {}
for p in sys.argv[1:]:
    ds = gdal.Open(p)
    a = ds.GetRasterBand(1).ReadAsArray()
    out[p] = {"values": sorted(int(v) for v in np.unique(a)), "nodata_fraction": float((a == 255).mean()),
              "lik_flooded_min": None, "zero_fraction_dry": None}
    if p.endswith("_ensemble_likelihood.tif"):
        e = gdal.Open(p.replace("_ensemble_likelihood.tif", "_ensemble_flood_extent.tif")).ReadAsArray()
        out[p]["same_nodata"] = bool(((a == 255) == (e == 255)).all())
        if (e == 1).any():
            out[p]["lik_flooded_min"] = int(a[e == 1].min())
            out[p]["lik_flooded_max"] = int(a[e == 1].max())
        out[p]["zero_fraction_dry"] = float((a[e == 0] == 0).mean())
print(json.dumps(out))
`;

const assetPath = (item: Json, band: string) => join(outDir, 'items', item.assets[band].href);

test('collection and items follow the shared contract', () => {
  assert.equal(collection.id, 'GFM');
  assert.equal(collection.type, 'Collection');
  const itemLinks = collection.links.filter((l: Json) => l.rel === 'item').map((l: Json) => l.href).sort();
  assert.deepEqual(itemLinks, items.map((i) => `./items/${i.id}.json`).sort());
  assert.equal(items.length, 16, '8 time steps x 2 tiles');
  for (const item of items) {
    const { properties: p } = item;
    assert.match(item.id, /^ENSEMBLE_FLOOD_\d{8}T\d{6}_VV_AS020M_E0(15|18)N027T3$/);
    const stamp = item.id.slice(15, 30);
    assert.equal(p.datetime, `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`);
    assert.ok(p.datetime.startsWith('2023-08-'));
    assert.equal(p['proj:wkt2'], EQUI7_ASIA_WKT);
    assert.equal(p.gsd, 20);
    assert.ok(item.id.endsWith(p.Equi7Tile));
    assert.deepEqual(p['proj:shape'], [2000, 2000]);
    const x0 = p.Equi7Tile === 'E015N027T3' ? 1_760_000 : 1_800_000;
    assert.deepEqual(p['proj:transform'].slice(0, 6), [20, 0, x0, 0, -20, 3_000_000]);
    assert.equal(item.geometry.type, 'Polygon');
    assert.equal(item.bbox.length, 4);
    for (const band of ['ensemble_flood_extent', 'ensemble_likelihood']) {
      const a = item.assets[band];
      assert.equal(a.href, `../cogs/${p.Equi7Tile}/${item.id}_${band}.tif`);
      assert.equal(a.type, 'image/tiff; application=geotiff; profile=cloud-optimized');
      assert.deepEqual(
        a['raster:bands'].map((b: Json) => [b.data_type, b.nodata]),
        [['uint8', 255]],
      );
    }
  }
});

test('several adjacent tiles share each timestamp', () => {
  const byTime = new Map<string, string[]>();
  for (const i of items) byTime.set(i.properties.datetime, [...(byTime.get(i.properties.datetime) ?? []), i.properties.Equi7Tile]);
  assert.equal(byTime.size, 8);
  for (const tiles of byTime.values()) assert.deepEqual(tiles.sort(), ['E015N027T3', 'E018N027T3']);
});

test('item geometry is the whole T3 tile footprint (E015N027T3 around 65.7–69.2 E, 26.5–29.3 N)', () => {
  const item = items.find((i) => i.properties.Equi7Tile === 'E015N027T3');
  const [w, s, e, n] = item.bbox;
  assert.ok(w > 65 && w < 66 && e > 68.5 && e < 69.5 && s > 23.5 && s < 26.6 && n > 26.5 && n < 30, String(item.bbox));
  const ring = item.geometry.coordinates[0];
  assert.deepEqual(ring[0], ring.at(-1));
});

test('pixel domains: swath nodata 60–90 %, extent {0,1,255}, likelihood 50–100 where flooded, mostly 0 elsewhere', () => {
  const paths = items.flatMap((i) => [assetPath(i, 'ensemble_flood_extent'), assetPath(i, 'ensemble_likelihood')]);
  const stats = JSON.parse(execFileSync('/usr/bin/python3', ['-c', STATS_SCRIPT, ...paths], { encoding: 'utf8' }));
  let flooded = 0;
  for (const item of items) {
    const ext = stats[assetPath(item, 'ensemble_flood_extent')];
    const lik = stats[assetPath(item, 'ensemble_likelihood')];
    assert.ok(ext.nodata_fraction >= 0.6 && ext.nodata_fraction <= 0.9, `${item.id}: nodata ${ext.nodata_fraction}`);
    assert.ok(ext.values.every((v: number) => [0, 1, 255].includes(v)), `${item.id}: ${ext.values}`);
    assert.ok(lik.same_nodata);
    assert.ok(lik.values.every((v: number) => (v >= 0 && v <= 100) || v === 255));
    assert.ok(lik.zero_fraction_dry > 0.8, `${item.id}: ${lik.zero_fraction_dry}`);
    if (lik.lik_flooded_min !== null) {
      flooded++;
      assert.ok(lik.lik_flooded_min >= 50 && lik.lik_flooded_max <= 100);
    }
  }
  assert.ok(flooded >= 4, 'floods are visible in several items');
});

test('GDAL reads the COGs with the item grid and the Equi7 CRS, and the validator accepts them', () => {
  const item = items.find((i) => i.properties.Equi7Tile === 'E018N027T3');
  const path = assetPath(item, 'ensemble_likelihood');
  const info = JSON.parse(execFileSync('gdalinfo', ['-json', '-proj4', path], { encoding: 'utf8' }));
  const t = item.properties['proj:transform'];
  assert.deepEqual(info.geoTransform, [t[2], t[0], t[1], t[5], t[3], t[4]]);
  assert.deepEqual(info.size, [...item.properties['proj:shape']].reverse());
  assert.equal(info.bands[0].noDataValue, 255);
  assert.deepEqual(info.bands[0].block, [512, 512]);
  assert.equal(gdalCompression(path), 'ZSTD');
  for (const p of ['+proj=aeqd', '+lat_0=47', '+lon_0=94', '+x_0=4340913.84808', '+y_0=4812712.92347'])
    assert.ok(info.coordinateSystem.proj4.includes(p), info.coordinateSystem.proj4);
  const validator = '/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_cloud_optimized_geotiff.py';
  assert.match(execFileSync('/usr/bin/python3', [validator, path], { encoding: 'utf8' }), /is a valid cloud optimized GeoTIFF/);
});

test('progress goes from 0 to 1 over all items', () => {
  assert.equal(progress[0].fraction, 0);
  assert.equal(progress.at(-1)?.fraction, 1);
  assert.equal(progress.at(-1)?.itemsDone, 16);
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i].fraction >= progress[i - 1].fraction);
});

test('same seed gives identical bytes; another seed differs; a foreign folder is not replaced', async () => {
  const again = join(root, 'again');
  await generateDemoData({ size: 'small', outDir: again, seed: 7, compression: 'deflate' });
  const rel = (dir: string) => {
    const first = JSON.parse(readFileSync(join(dir, 'collection.json'), 'utf8')).links.find((l: Json) => l.rel === 'item');
    const item = JSON.parse(readFileSync(join(dir, first.href), 'utf8'));
    return { item, file: join(dir, 'items', item.assets.ensemble_likelihood.href) };
  };
  const a = rel(again);
  // Regenerating into an existing demo folder replaces it; bytes of the same COG must match exactly.
  await generateDemoData({ size: 'small', outDir: again, seed: 7, compression: 'deflate' });
  const b = rel(again);
  assert.equal(a.item.id, b.item.id);
  assert.ok(readFileSync(a.file).equals(readFileSync(b.file)));
  assert.equal(gdalCompression(b.file), 'DEFLATE');
  assert.notDeepEqual(planDemo('small', 8).acquisitions[0], planDemo('small', 7).acquisitions[0]);
  const foreign = join(root, 'foreign');
  mkdirSync(foreign);
  writeFileSync(join(foreign, 'notes.txt'), 'mine');
  await assert.rejects(generateDemoData({ size: 'small', outDir: foreign }), (e) => isOpenEOError(e));
  assert.deepEqual(readdirSync(foreign), ['notes.txt']);
});

test('cancelling stops early and leaves nothing behind', async () => {
  const target = join(root, 'cancelled');
  const ctrl = new AbortController();
  await assert.rejects(
    generateDemoData({ size: 'small', outDir: target, signal: ctrl.signal, onProgress: (p) => p.fraction > 0.2 && ctrl.abort() }),
    { name: 'AbortError' },
  );
  assert.equal(existsSync(target), false);
  assert.equal(existsSync(`${target}.partial`), false);
});
