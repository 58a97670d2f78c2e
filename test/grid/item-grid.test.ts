import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  crsFromEpsg, crsFromWkt, gridAnchor, isOpenEOErrorLike, itemGrid, nativeParams, outputGrid, type Grid, type StacItemLike,
} from './helpers.ts';
import { EQUI7_AS_PROJ4, EQUI7_AS_WKT2, TUTORIAL_AOI } from './fixtures.ts';

const equi7 = crsFromWkt(EQUI7_AS_WKT2);
const tileItem = (id: string, x0: number, y0: number): StacItemLike => ({
  id,
  properties: { 'proj:wkt2': EQUI7_AS_WKT2, 'proj:shape': [15000, 15000], 'proj:transform': [20, 0, x0, 0, -20, y0, 0, 0, 1] },
  assets: { ensemble_flood_extent: { href: 'x.tif' } },
});
const E015N027 = itemGrid(tileItem('A', 1500000, 3000000));
const E018N027 = itemGrid(tileItem('B', 1800000, 3000000));

test('itemGrid reads EODC-style items (9-number transform, WKT2)', () => {
  assert.equal(E015N027.crs.proj4, EQUI7_AS_PROJ4);
  assert.deepEqual(E015N027.transform, [20, 0, 1500000, 0, -20, 3000000]);
  assert.deepEqual([E015N027.width, E015N027.height], [15000, 15000]);
});

test('asset-level proj fields override the item; proj:code and proj:epsg work', () => {
  const item = tileItem('A', 1500000, 3000000);
  item.assets!.coarse = { 'proj:shape': [100, 200], 'proj:transform': [40, 0, 1500000, 0, -40, 3000000] };
  const g = itemGrid(item, 'coarse');
  assert.deepEqual([g.width, g.height, g.transform[0]], [200, 100, 40]);
  const utm = itemGrid({ id: 'u', properties: { 'proj:code': 'EPSG:32642', 'proj:shape': [10, 10], 'proj:transform': [10, 0, 0, 0, -10, 0] } });
  assert.equal(utm.crs.epsg, 32642);
  const old = itemGrid({ id: 'o', properties: { 'proj:epsg': 32642, 'proj:shape': [10, 10], 'proj:transform': [10, 0, 0, 0, -10, 0] } });
  assert.equal(old.crs.proj4, utm.crs.proj4);
});

test('itemGrid errors name the item', () => {
  const base = tileItem('ITEM_1', 0, 0).properties;
  const cases: Record<string, unknown>[] = [
    { ...base, 'proj:shape': undefined },
    { ...base, 'proj:transform': [20, 0, 0, 0, -20, 0, 1, 0, 1] },
    { ...base, 'proj:transform': [20, 0, 0] },
    { 'proj:shape': [1, 1], 'proj:transform': [1, 0, 0, 0, -1, 0] },
  ];
  for (const properties of cases) {
    assert.throws(() => itemGrid({ id: 'ITEM_1', properties }), (e: unknown) =>
      isOpenEOErrorLike('UpstreamInvalid')(e) && /ITEM_1/.test((e as Error).message));
  }
});

test('gridAnchor as odc-stac derives it', () => {
  assert.deepEqual(gridAnchor(E015N027), [0, 0]);
  assert.deepEqual(gridAnchor({ ...E015N027, transform: [20, 0, 10, 0, -20, 10] }), [0.5, 0.5]);
  // odc-stac's formula mirrors the fraction on the x axis (positive resolution); we keep it.
  assert.deepEqual(gridAnchor({ ...E015N027, transform: [20, 0, 5, 0, -20, 3000005] }), [0.75, 0.25]);
  assert.deepEqual(gridAnchor({ ...E015N027, transform: [20, 0, 1500000.001, 0, -20, 3000000] }), [0, 0]);
});

test('nativeParams: identical grids, majority vote', () => {
  assert.equal(nativeParams([E015N027, E015N027])?.grid, E015N027);
  const p = nativeParams([E015N027, E018N027])!;
  assert.equal(p.grid, undefined);
  assert.deepEqual([p.resolution, p.anchor], [[20, -20], [0, 0]]);
  const utm: Grid = { crs: crsFromEpsg(32642), transform: [10, 0, 0, 0, -10, 0], width: 5, height: 5 };
  assert.equal(nativeParams([utm, E015N027, E018N027])!.crs.proj4, EQUI7_AS_PROJ4);
  assert.equal(nativeParams([]), undefined);
});

test('outputGrid follows odc-stac output_geobox', () => {
  // Nothing asked and one shared grid: that grid as it is.
  assert.equal(outputGrid([E015N027, E015N027]), E015N027);
  // A bbox: the items' CRS, resolution and anchor.
  const aoi = outputGrid([E015N027, E018N027], { bbox: TUTORIAL_AOI })!;
  assert.deepEqual([aoi.width, aoi.height, ...aoi.transform], [9936, 10030, 20, 0, 1659620, 0, -20, 3066440]);
  // No bbox, two adjacent tiles: their union.
  const union = outputGrid([E015N027, E018N027])!;
  assert.deepEqual([union.width, union.height, ...union.transform], [30000, 15000, 20, 0, 1500000, 0, -20, 3000000]);
  // Explicit CRS + resolution: edge-anchored grid in that CRS.
  const geo = outputGrid([E015N027], { bbox: [67.4, 26.2, 67.5, 26.3], crs: crsFromEpsg(4326), resolution: 0.01 })!;
  assert.deepEqual([geo.width, geo.height], [10, 10]);
  assert.ok(Math.abs(geo.transform[2] - 67.4) < 1e-9 && Math.abs(geo.transform[5] - 26.3) < 1e-9);
  assert.equal(outputGrid([]), undefined);
});
