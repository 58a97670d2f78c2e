/**
 * GDAL/PROJ as the oracle: our proj4js transforms against PROJ's, and our warp index maps against both PROJ's
 * exact coordinates and gdal.Warp's nearest-neighbour result. Skipped when Debian's python3-gdal is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  crsFromEpsg, crsFromWkt, gridForBbox, makeTransform, subGrid, warpIndexMap, type Crs, type Grid,
} from './helpers.ts';
import { EQUI7_AS_WKT2, TUTORIAL_AOI, hasGdal, runPython } from './fixtures.ts';

const skip = hasGdal() ? false : 'GDAL Python bindings (/usr/bin/python3 + osgeo) not installed';
const equi7 = crsFromWkt(EQUI7_AS_WKT2);
const utm = crsFromEpsg(32642);
const wgs84 = crsFromEpsg(4326);

const PY_COMMON = `
import json, sys
from osgeo import gdal, osr
gdal.UseExceptions()
def srs(c):
    s = osr.SpatialReference()
    if c.get('wkt'): s.ImportFromWkt(c['wkt'])
    else: s.ImportFromProj4(c['proj4'])
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s
req = json.load(sys.stdin)
`;

const PY_POINTS = PY_COMMON + `
ct = osr.CoordinateTransformation(srs(req['from']), srs(req['to']))
print(json.dumps([list(p[:2]) for p in ct.TransformPoints([tuple(p) for p in req['points']])]))
`;

function gdalPoints(from: Crs, to: Crs, points: [number, number][]): [number, number][] {
  return runPython(PY_POINTS, { from, to, points });
}

test('proj4js transforms agree with PROJ (UTM and Equi7, both directions)', { skip }, () => {
  const lonlat: [number, number][] = [];
  for (let i = 0; i <= 8; i++) for (let j = 0; j <= 8; j++) lonlat.push([66.5 + i * 0.6, 24 + j * 0.6]);
  for (const target of [utm, equi7]) {
    const fwd = makeTransform(wgs84, target);
    const projected = gdalPoints(wgs84, target, lonlat);
    let worst = 0;
    lonlat.forEach(([x, y], k) => {
      const p = fwd(x, y, new Float64Array(2));
      worst = Math.max(worst, Math.abs(p[0] - projected[k][0]), Math.abs(p[1] - projected[k][1]));
    });
    assert.ok(worst < 1e-3, `forward error ${worst} m`); // 1 mm, i.e. 1/20000 of a 20 m pixel
    const back = gdalPoints(target, wgs84, projected);
    const inv = makeTransform(target, wgs84);
    let worstDeg = 0;
    projected.forEach(([x, y], k) => {
      const p = inv(x, y, new Float64Array(2));
      worstDeg = Math.max(worstDeg, Math.abs(p[0] - back[k][0]), Math.abs(p[1] - back[k][1]));
    });
    assert.ok(worstDeg < 1e-8, `inverse error ${worstDeg} deg`);
  }
});

test('the tutorial AOI grid from PROJ-projected corners is the same 9936 x 10030 grid', { skip }, () => {
  const [w, s, e, n] = TUTORIAL_AOI;
  const pts = gdalPoints(wgs84, equi7, [[w, s], [w, n], [e, n], [e, s]]);
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const x0 = Math.floor(Math.min(...xs) / 20);
  const x1 = Math.ceil(Math.max(...xs) / 20);
  const y0 = Math.floor(Math.min(...ys) / 20);
  const y1 = Math.ceil(Math.max(...ys) / 20);
  const ours = gridForBbox(TUTORIAL_AOI, equi7, 20);
  assert.deepEqual([x1 - x0, y1 - y0, x0 * 20, y1 * 20], [ours.width, ours.height, ours.transform[2], ours.transform[5]]);
});

const PY_WARP = PY_COMMON + `
import numpy as np
d, s = req['dst'], req['src']
# exact source pixel coordinates of every destination pixel centre, through PROJ
a, b, c, dd, e, f = d['transform']
jj, ii = np.mgrid[0:d['height'], 0:d['width']]
x = a * (ii + 0.5) + b * (jj + 0.5) + c
y = dd * (ii + 0.5) + e * (jj + 0.5) + f
ct = osr.CoordinateTransformation(srs(d['crs']), srs(s['crs']))
pts = np.array(ct.TransformPoints(np.column_stack([x.ravel(), y.ravel()]).tolist()))
sa, sb, sc, sd, se, sf = s['transform']
det = sa * se - sb * sd
u = ( se * (pts[:, 0] - sc) - sb * (pts[:, 1] - sf)) / det
v = (-sd * (pts[:, 0] - sc) + sa * (pts[:, 1] - sf)) / det
# gdal.Warp nearest on a source whose values are pixel index + 1
src = gdal.GetDriverByName('MEM').Create('', s['width'], s['height'], 1, gdal.GDT_Int32)
src.SetGeoTransform((sc, sa, sb, sf, sd, se))
src.SetProjection(srs(s['crs']).ExportToWkt())
src.GetRasterBand(1).WriteArray(np.arange(1, s['width'] * s['height'] + 1, dtype=np.int32).reshape(s['height'], s['width']))
src.GetRasterBand(1).SetNoDataValue(0)
dst = gdal.GetDriverByName('MEM').Create('', d['width'], d['height'], 1, gdal.GDT_Int32)
dst.SetGeoTransform((c, a, b, f, dd, e))
dst.SetProjection(srs(d['crs']).ExportToWkt())
dst.GetRasterBand(1).SetNoDataValue(0)
dst.GetRasterBand(1).Fill(0)
gdal.Warp(dst, src, resampleAlg='near')
warped = dst.GetRasterBand(1).ReadAsArray().ravel() - 1
print(json.dumps({'u': u.tolist(), 'v': v.tolist(), 'gdal': warped.tolist()}))
`;

function compareWithGdal(dst: Grid, src: Grid) {
  const ref = runPython<{ u: number[]; v: number[]; gdal: number[] }>(PY_WARP, { dst, src });
  const { index, exactTransforms } = warpIndexMap(dst, src);
  let worst = 0;
  let differ = 0;
  let oursExact = 0;
  let gdalExact = 0;
  let unexplained = 0;
  const edgeDist = (t: number) => Math.abs(t - Math.round(t));
  for (let k = 0; k < index.length; k++) {
    const u = ref.u[k];
    const v = ref.v[k];
    const inside = u >= 0 && u < src.width && v >= 0 && v < src.height;
    const s = index[k];
    if (s < 0) {
      if (inside) worst = Math.max(worst, Math.min(u, v, src.width - u, src.height - v));
    } else {
      const sx = s % src.width;
      const sy = Math.floor(s / src.width);
      worst = Math.max(worst, sx - u, u - sx - 1, sy - v, v - sy - 1, 0);
    }
    const ex = inside ? Math.floor(v + 1e-10) * src.width + Math.floor(u + 1e-10) : -1;
    if (s === ex) oursExact++;
    if (ref.gdal[k] === ex) gdalExact++;
    if (s !== ref.gdal[k]) {
      differ++;
      // Both sides interpolate within 1/8 px, so they may only disagree next to a source pixel edge.
      if (Math.min(edgeDist(u), edgeDist(v)) > 0.25) unexplained++;
    }
  }
  return { worst, differ, unexplained, n: index.length, exactTransforms, oursExact, gdalExact };
}

/**
 * gdal.Warp (and so rasterio / odc-stac) also interpolates within 1/8 px, with different control points, so a few
 * percent of pixels whose centres lie near a source edge legitimately differ; ours must be the closer to PROJ.
 */
function assertClose(r: ReturnType<typeof compareWithGdal>) {
  if (process.env.GRID_STATS) console.log(r);
  assert.ok(r.oursExact / r.n > 0.999, `${r.n - r.oursExact} of ${r.n} differ from exact PROJ`);
  assert.ok(r.oursExact >= r.gdalExact);
  assert.ok(r.differ / r.n < 0.05, `${r.differ} of ${r.n} differ from gdal.Warp`);
}

test('warp index map vs PROJ and gdal.Warp: UTM 42N -> EPSG:4326', { skip }, () => {
  const src: Grid = { crs: utm, transform: [20, 0, 400000, 0, -20, 3000000], width: 600, height: 600 };
  const dst = gridForBbox([67.99, 26.995, 68.05, 27.055], wgs84, 0.0002);
  const r = compareWithGdal(dst, src);
  assert.ok(r.worst <= 0.125, `max error ${r.worst} px`);
  assert.equal(r.unexplained, 0);
  assertClose(r);
  assert.ok(r.exactTransforms < r.n / 50);
});

test('warp index map vs PROJ and gdal.Warp: EPSG:4326 -> UTM 42N', { skip }, () => {
  const src: Grid = { crs: wgs84, transform: [0.0002, 0, 67.99, 0, -0.0002, 27.1], width: 600, height: 600 };
  const dst = gridForBbox([68.0, 27.0, 68.06, 27.05], utm, 20);
  const r = compareWithGdal(dst, src);
  assert.ok(r.worst <= 0.125, `max error ${r.worst} px`);
  assert.equal(r.unexplained, 0);
  assertClose(r);
});

test('warp index map vs PROJ and gdal.Warp: Equi7 tile window -> UTM 42N at 30 m', { skip }, () => {
  // A 700 x 700 window of tile E015N027T3 inside the tutorial AOI.
  const tile: Grid = { crs: equi7, transform: [20, 0, 1500000, 0, -20, 3000000], width: 15000, height: 15000 };
  const src = subGrid(tile, 8300, 1100, 700, 700);
  const dst = gridForBbox([67.62, 26.45, 67.72, 26.55], utm, 30);
  const r = compareWithGdal(dst, src);
  assert.ok(r.worst <= 0.125, `max error ${r.worst} px`);
  assert.equal(r.unexplained, 0);
  assertClose(r);
});
