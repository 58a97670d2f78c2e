import { test } from 'node:test';
import assert from 'node:assert/strict';
import proj4 from 'proj4';
import {
  crsFromAny, crsFromCode, crsFromEpsg, crsFromProj4, crsFromWkt, isGeographic, isOpenEOErrorLike, makeTransform, sameCrs,
} from './helpers.ts';
import {
  EQUI7_AS_ESRI, EQUI7_AS_PROJ4, EQUI7_AS_WKT1, EQUI7_AS_WKT2, EQUI7_AS_WKT2_NAMED, LAEA_WKT1, UTM42N_WKT2, WGS84_WKT2,
} from './fixtures.ts';

test('Equi7 Asia in every WKT flavour becomes the same canonical proj4 string', () => {
  for (const wkt of [EQUI7_AS_WKT2, EQUI7_AS_WKT2_NAMED, EQUI7_AS_WKT1, EQUI7_AS_ESRI]) {
    const crs = crsFromWkt(wkt);
    assert.equal(crs.proj4, EQUI7_AS_PROJ4);
    assert.equal(crs.wkt, wkt);
  }
  assert.ok(sameCrs(crsFromWkt(EQUI7_AS_WKT1), crsFromWkt(EQUI7_AS_WKT2)));
});

test('proj4js alone cannot read PROJ\'s Equi7 WKT2, which is why we convert it', () => {
  assert.throws(() => proj4('EPSG:4326', EQUI7_AS_WKT2).forward([68, 27]));
  const ours = makeTransform(crsFromEpsg(4326), crsFromWkt(EQUI7_AS_WKT2))(68, 27, new Float64Array(2));
  const direct = proj4('EPSG:4326', EQUI7_AS_WKT1).forward([68, 27]);
  assert.ok(Math.abs(ours[0] - direct[0]) < 1e-6 && Math.abs(ours[1] - direct[1]) < 1e-6);
});

test('UTM and geographic WKT2 map to UTM / longlat and keep their EPSG code', () => {
  const utm = crsFromWkt(UTM42N_WKT2);
  assert.equal(utm.proj4, '+proj=utm +zone=42 +datum=WGS84 +units=m +no_defs');
  assert.equal(utm.epsg, 32642);
  assert.ok(sameCrs(utm, crsFromEpsg(32642)));
  const geo = crsFromWkt(WGS84_WKT2);
  assert.equal(geo.proj4, '+proj=longlat +datum=WGS84 +no_defs');
  assert.equal(geo.epsg, 4326);
  assert.ok(isGeographic(geo));
  assert.ok(!isGeographic(utm));
});

test('non-UTM Transverse Mercator becomes +proj=tmerc with its parameters', () => {
  const wkt = UTM42N_WKT2.replace('PARAMETER["False easting",500000', 'PARAMETER["False easting",400000').replace(/,ID\["EPSG",32642\]\]$/, ']');
  const crs = crsFromWkt(wkt);
  assert.equal(crs.proj4, '+proj=tmerc +lat_0=0 +lon_0=69 +k_0=0.9996 +x_0=400000 +y_0=0 +datum=WGS84 +units=m +no_defs');
  assert.equal(crs.epsg, undefined);
});

test('other projections fall back to proj4js when it can parse the WKT', () => {
  const laea = crsFromWkt(LAEA_WKT1);
  assert.equal(laea.proj4, LAEA_WKT1);
  const out = makeTransform(crsFromEpsg(4326), laea)(10, 52, new Float64Array(2));
  assert.ok(Math.abs(out[0] - 4321000) < 1e-3 && Math.abs(out[1] - 3210000) < 1e-3);
});

test('unsupported or malformed WKT is a clear openEO error', () => {
  const bogus = EQUI7_AS_WKT2.replace('Modified Azimuthal Equidistant",ID["EPSG",9832]', 'Bogus Projection"');
  assert.throws(() => crsFromWkt(bogus, { context: 'item X' }), (e: unknown) =>
    isOpenEOErrorLike('ProcessParameterInvalid')(e) && /item X: unsupported CRS 'unknown'/.test((e as Error).message));
  assert.throws(() => crsFromWkt('PROJCRS["x",', { code: 'UpstreamInvalid' }), isOpenEOErrorLike('UpstreamInvalid'));
});

test('EPSG codes and code strings', () => {
  assert.equal(crsFromCode('EPSG:32733').proj4, '+proj=utm +zone=33 +south +datum=WGS84 +units=m +no_defs');
  assert.equal(crsFromCode('urn:ogc:def:crs:EPSG::4326').epsg, 4326);
  assert.equal(crsFromCode('OGC:CRS84').epsg, 4326);
  assert.equal(crsFromAny(3857).epsg, 3857);
  assert.equal(crsFromAny('32642').epsg, 32642);
  assert.equal(crsFromAny(EQUI7_AS_PROJ4).proj4, EQUI7_AS_PROJ4);
  assert.equal(crsFromAny(EQUI7_AS_WKT2).proj4, EQUI7_AS_PROJ4);
  assert.throws(() => crsFromEpsg(2056), isOpenEOErrorLike('ProcessParameterInvalid'));
  assert.throws(() => crsFromCode('foo'), isOpenEOErrorLike('ProcessParameterInvalid'));
  assert.throws(() => crsFromProj4('+proj=nonsense'), isOpenEOErrorLike('ProcessParameterInvalid'));
});

test('transforms round-trip and report failures as NaN', () => {
  const fwd = makeTransform(crsFromEpsg(4326), crsFromEpsg(32642));
  const inv = makeTransform(crsFromEpsg(32642), crsFromEpsg(4326));
  const p = fwd(68.5, 27.1, new Float64Array(2));
  const q = inv(p[0], p[1], new Float64Array(2));
  assert.ok(Math.abs(q[0] - 68.5) < 1e-9 && Math.abs(q[1] - 27.1) < 1e-9);
  const aeqd = makeTransform(crsFromAny(EQUI7_AS_PROJ4), crsFromEpsg(4326));
  const far = aeqd(3e7, 3e7, new Float64Array(2)); // beyond the antipode of the centre
  assert.ok(Number.isNaN(far[0]) && Number.isNaN(far[1]));
});

test('latitudes beyond the poles do not transform', () => {
  const fwd = makeTransform(crsFromEpsg(4326), crsFromEpsg(32642));
  assert.ok(Number.isNaN(fwd(68, 95, new Float64Array(2))[0]));
});
