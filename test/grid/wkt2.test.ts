import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { EQUI7_ASIA_WKT } from '../../src/demo-data/equi7.ts';
import { crsFromEpsg, crsFromProj4, crsFromWkt } from '../../src/raster/grid/crs.ts';
import { crsToWkt2, isWkt2 } from '../../src/raster/grid/wkt2.ts';

describe('WKT2 of our CRSs (proj:wkt2)', () => {
  it('converts WKT1 and proj4 definitions into WKT2 that GDAL reads as the same CRS', () => {
    const crss = [
      crsFromWkt(EQUI7_ASIA_WKT),
      crsFromEpsg(32642),
      crsFromEpsg(32733),
      crsFromEpsg(4326),
      crsFromProj4('+proj=tmerc +lat_0=10 +lon_0=12 +k_0=0.9 +x_0=1000 +y_0=2 +ellps=GRS80 +units=m +no_defs'),
    ];
    const cases = crss.map((c) => ({ proj4: c.proj4, wkt2: crsToWkt2(c)! }));
    for (const c of cases) assert.ok(isWkt2(c.wkt2), c.wkt2);
    assert.match(cases[0].wkt2, /^PROJCRS\["Azimuthal_Equidistant",/);
    assert.match(cases[1].wkt2, /ID\["EPSG",32642\]\]$/);
    const script = `
import json, sys
from osgeo import osr
out = []
for c in json.loads(sys.argv[1]):
    a = osr.SpatialReference(); a.ImportFromWkt(c['wkt2'])
    b = osr.SpatialReference(); b.ImportFromProj4(c['proj4'])
    out.append(a.ExportToProj4() == b.ExportToProj4() or a.ExportToProj4())
print(json.dumps(out))`;
    const out = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, JSON.stringify(cases)], { encoding: 'utf8' }));
    assert.deepEqual(out, cases.map(() => true));
  });

  it('keeps a given WKT2 and writes nothing for definitions it cannot express', () => {
    const given = 'PROJCRS["x",BASEGEOGCRS["WGS 84",DATUM["World Geodetic System 1984",ELLIPSOID["WGS 84",6378137,298.257223563]]],CONVERSION["c",METHOD["Transverse Mercator"]],CS[Cartesian,2]]';
    assert.equal(crsToWkt2({ wkt: given, proj4: '+proj=tmerc +datum=WGS84 +units=m +no_defs' }), given);
    assert.equal(crsToWkt2(crsFromProj4('+proj=laea +lat_0=52 +lon_0=10 +x_0=4321000 +y_0=3210000 +ellps=GRS80 +units=m +no_defs')), undefined);
    assert.equal(crsToWkt2(crsFromProj4('+proj=utm +zone=33 +ellps=intl +towgs84=-87,-98,-121 +units=m +no_defs')), undefined);
  });
});
