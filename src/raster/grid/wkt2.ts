/**
 * WKT2 (ISO 19162:2019) of the CRSs we can convert: what STAC's `proj:wkt2` requires. Catalogs often carry WKT1 in
 * `proj:wkt2` (EODC's GFM items do); passing that on would mislabel it. Rendered from our canonical proj4 string, so
 * it covers exactly what wktToProj4 reads: geographic, Azimuthal Equidistant, Transverse Mercator / UTM.
 */
import type { Crs } from './types.ts';
import { nameOf, parseWkt } from './wkt.ts';

const WKT2_ROOTS = /^\s*(PROJCRS|PROJECTEDCRS|GEOGCRS|GEOGRAPHICCRS|GEODCRS|GEODETICCRS|COMPOUNDCRS|BOUNDCRS)\s*\[/i;
const DEGREE = 'ANGLEUNIT["degree",0.0174532925199433]';
const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** WKT2 by its root keyword (WKT1 has PROJCS, GEOGCS …). */
export const isWkt2 = (wkt: string | undefined): boolean => wkt !== undefined && WKT2_ROOTS.test(wkt);

/** The WKT2 of `crs`, or undefined when its definition is none we can write. */
export function crsToWkt2(crs: Crs): string | undefined {
  if (isWkt2(crs.wkt)) return crs.wkt;
  const p = new Map<string, string>();
  for (const term of crs.proj4.trim().split(/\s+/)) {
    const m = /^\+([\w]+)(?:=(.*))?$/.exec(term);
    if (m) p.set(m[1], m[2] ?? '');
  }
  if (p.has('towgs84') || p.has('nadgrids') || p.has('pm')) return undefined;
  const datum = datumWkt(p);
  if (!datum) return undefined;
  const id = crs.epsg ? `,ID["EPSG",${crs.epsg}]` : '';
  const name = givenName(crs);
  const proj = p.get('proj');
  if (proj === 'longlat' || proj === 'latlong') {
    // longitude first, as our grids and CF store them (OGC:CRS84 order); an EPSG:4326 result names its code apart
    return `GEOGCRS[${q(name ?? 'WGS 84')},${datum},PRIMEM["Greenwich",0,${DEGREE}],CS[ellipsoidal,2],AXIS["geodetic longitude (Lon)",east,ORDER[1],${DEGREE}],AXIS["geodetic latitude (Lat)",north,ORDER[2],${DEGREE}]]`;
  }
  const conversion = conversionWkt(p);
  const unit = lengthUnit(p);
  if (!conversion || !unit) return undefined;
  const base = `BASEGEOGCRS[${q(baseName(p))},${datum},PRIMEM["Greenwich",0,${DEGREE}]]`;
  const cs = `CS[Cartesian,2],AXIS["(E)",east,ORDER[1],${unit}],AXIS["(N)",north,ORDER[2],${unit}]`;
  return `PROJCRS[${q(name ?? conversion.name)},${base},${conversion.wkt},${cs}${id}]`;
}

function givenName(crs: Crs): string | undefined {
  if (!crs.wkt) return undefined;
  try {
    return nameOf(parseWkt(crs.wkt)) || undefined;
  } catch {
    return undefined;
  }
}

const metre = 'LENGTHUNIT["metre",1]';
const isWgs84 = (p: Map<string, string>) => p.get('datum') === 'WGS84';
const baseName = (p: Map<string, string>) => (isWgs84(p) ? 'WGS 84' : 'unknown');

function datumWkt(p: Map<string, string>): string | undefined {
  if (isWgs84(p)) return `DATUM["World Geodetic System 1984",ELLIPSOID["WGS 84",6378137,298.257223563,${metre}]]`;
  if (p.get('ellps') === 'GRS80') return `DATUM["unknown",ELLIPSOID["GRS 1980",6378137,298.257222101,${metre}]]`;
  const [a, rf, r] = ['a', 'rf', 'R'].map((k) => (p.has(k) ? Number(p.get(k)) : undefined));
  if (a !== undefined && rf !== undefined && Number.isFinite(a) && Number.isFinite(rf)) return `DATUM["unknown",ELLIPSOID["unknown",${a},${rf},${metre}]]`;
  if (r !== undefined && Number.isFinite(r)) return `DATUM["unknown",ELLIPSOID["unknown",${r},0,${metre}]]`;
  return undefined;
}

function lengthUnit(p: Map<string, string>): string | undefined {
  if (p.get('units') === 'm' || (!p.has('units') && !p.has('to_meter'))) return metre;
  const f = Number(p.get('to_meter'));
  return Number.isFinite(f) && f > 0 ? `LENGTHUNIT["unknown",${f}]` : undefined;
}

const param = (name: string, value: number, unit: string, epsg: number) => `PARAMETER[${q(name)},${value},${unit},ID["EPSG",${epsg}]]`;

function conversionWkt(p: Map<string, string>): { name: string; wkt: string } | undefined {
  const n = (k: string, dflt: number) => (p.has(k) ? Number(p.get(k)) : dflt);
  const proj = p.get('proj');
  const common = (lat0: number, lon0: number) => [param('Latitude of natural origin', lat0, DEGREE, 8801), param('Longitude of natural origin', lon0, DEGREE, 8802)];
  const offsets = (x0: number, y0: number) => [param('False easting', x0, metre, 8806), param('False northing', y0, metre, 8807)];
  let name: string;
  let params: string[];
  let method: string;
  if (proj === 'aeqd') {
    name = 'unknown';
    method = 'METHOD["Modified Azimuthal Equidistant",ID["EPSG",9832]]';
    params = [...common(n('lat_0', 0), n('lon_0', 0)), ...offsets(n('x_0', 0), n('y_0', 0))];
  } else if (proj === 'utm' || proj === 'tmerc') {
    const zone = n('zone', NaN);
    const south = p.has('south');
    if (proj === 'utm' && !(Number.isInteger(zone) && zone >= 1 && zone <= 60)) return undefined;
    name = proj === 'utm' ? `UTM zone ${zone}${south ? 'S' : 'N'}` : 'unknown';
    method = 'METHOD["Transverse Mercator",ID["EPSG",9807]]';
    const [lat0, lon0, k0, x0, y0] =
      proj === 'utm' ? [0, zone * 6 - 183, 0.9996, 500000, south ? 10000000 : 0] : [n('lat_0', 0), n('lon_0', 0), n('k_0', n('k', 1)), n('x_0', 0), n('y_0', 0)];
    params = [...common(lat0, lon0), param('Scale factor at natural origin', k0, 'SCALEUNIT["unity",1]', 8805), ...offsets(x0, y0)];
  } else {
    return undefined;
  }
  if (params.some((s) => s.includes('NaN'))) return undefined;
  return { name, wkt: `CONVERSION[${q(name)},${method},${params.join(',')}]` };
}
