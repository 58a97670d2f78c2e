/**
 * WKT (1 or 2) → canonical proj4 string for the projections our collections use: geographic, Azimuthal
 * Equidistant (Equi7Grid) and Transverse Mercator / UTM. proj4js itself reads WKT1 and some WKT2, but not e.g. the
 * WKT2 PROJ writes for Equi7 ("Modified Azimuthal Equidistant"); and a canonical string makes CRS equality a string
 * compare. Returns `undefined` for anything else so the caller can still try proj4js on the raw text.
 */
import { child, epsgIdOf, find, nameOf, numberArg, type WktNode } from './wkt.ts';

const DEG = Math.PI / 180;
const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();

export interface Proj4FromWkt {
  proj4: string;
  epsg?: number;
}

export function wktToProj4(root: WktNode): Proj4FromWkt | undefined {
  let node = root;
  // Compound / bound CRSs: only the horizontal part matters for a 2-D grid.
  if (node.keyword === 'COMPOUNDCRS' || node.keyword === 'COMPD_CS') {
    const horizontal = node.args.find((a): a is WktNode => typeof a === 'object' && /CRS|CS$/.test(a.keyword));
    if (!horizontal) return undefined;
    node = horizontal;
  }
  if (node.keyword === 'BOUNDCRS') {
    const src = child(node, 'SOURCECRS');
    const inner = src?.args.find((a): a is WktNode => typeof a === 'object');
    if (!inner) return undefined;
    node = inner;
  }
  const epsg = epsgIdOf(node);
  const kw = node.keyword;
  if (kw === 'GEOGCS' || kw === 'GEOGCRS' || kw === 'GEOGRAPHICCRS' || kw === 'GEODCRS' || kw === 'GEODETICCRS') {
    if (child(node, 'CS') && /cartesian/i.test(String(child(node, 'CS')!.args[0]))) return undefined; // geocentric
    const datum = datumTerms(node);
    return datum ? { proj4: `+proj=longlat ${datum} +no_defs`, epsg } : undefined;
  }
  if (kw !== 'PROJCS' && kw !== 'PROJCRS' && kw !== 'PROJECTEDCRS') return undefined;
  const datum = datumTerms(node);
  if (!datum) return undefined;
  const units = unitTerms(node);
  if (!units) return undefined;
  const method = projectionTerms(node);
  return method ? { proj4: `${method} ${datum} ${units} +no_defs`, epsg } : undefined;
}

function datumTerms(crs: WktNode): string | undefined {
  const ell = find(crs, 'ELLIPSOID', 'SPHEROID');
  if (!ell) return undefined;
  const a = numberArg(ell, 1);
  const rf = numberArg(ell, 2);
  if (a === undefined || rf === undefined) return undefined;
  const datum = find(crs, 'DATUM', 'GEODETICDATUM', 'TRF', 'ENSEMBLE');
  const datumName = datum ? norm(nameOf(datum)) : '';
  const towgs = find(crs, 'TOWGS84');
  const isWgs84Ell = a === 6378137 && Math.abs(rf - 298.257223563) < 1e-9;
  if (isWgs84Ell && !towgs && /wgs 84|wgs84|wgs 1984|world geodetic system 1984/.test(datumName || 'wgs 84')) {
    return '+datum=WGS84';
  }
  const shape = rf === 0 ? `+R=${a}` : a === 6378137 && Math.abs(rf - 298.257222101) < 1e-9 ? '+ellps=GRS80' : `+a=${a} +rf=${rf}`;
  const shift = towgs ? ` +towgs84=${towgs.args.map(Number).join(',')}` : '';
  return shape + shift;
}

function unitTerms(crs: WktNode): string | undefined {
  // WKT1: UNIT directly under PROJCS; WKT2: LENGTHUNIT inside CS axes (or directly under PROJCRS).
  const unit =
    child(crs, 'UNIT', 'LENGTHUNIT') ??
    (() => {
      for (const axis of crs.args) {
        if (typeof axis === 'object' && axis.keyword === 'AXIS') {
          const u = child(axis, 'LENGTHUNIT', 'UNIT');
          if (u) return u;
        }
      }
      return undefined;
    })();
  const factor = unit ? numberArg(unit, 1) : 1;
  if (factor === undefined || !(factor > 0)) return undefined;
  return factor === 1 ? '+units=m' : `+to_meter=${factor}`;
}

/** Parameter value in degrees or metres (WKT2 parameters carry their own unit; WKT1 ones use degrees / metres). */
function params(crs: WktNode): Map<string, number> {
  const out = new Map<string, number>();
  const holder = child(crs, 'CONVERSION') ?? crs;
  for (const p of holder.args) {
    if (typeof p !== 'object' || p.keyword !== 'PARAMETER') continue;
    let v = numberArg(p, 1);
    if (v === undefined) continue;
    const angle = child(p, 'ANGLEUNIT');
    const factor = angle ? numberArg(angle, 1) : undefined;
    // Degrees are written as 0.0174532925199433 (rounded): treat that as exactly one degree so 47 stays 47.
    if (factor !== undefined && Math.abs(factor / DEG - 1) > 1e-12) v = Number(((v * factor) / DEG).toPrecision(15));
    const key = paramKey(norm(nameOf(p)), epsgIdOf(p));
    if (key) out.set(key, v);
  }
  return out;
}

function paramKey(name: string, id: number | undefined): string | undefined {
  if (id === 8801 || /^latitude of (natural )?(origin|center|centre)$|^latitude of projection cent(er|re)$/.test(name)) return 'lat_0';
  if (id === 8802 || /^(longitude of (natural )?(origin|center|centre)|central meridian)$/.test(name)) return 'lon_0';
  if (id === 8805 || /^scale factor( at natural origin)?$/.test(name)) return 'k_0';
  if (id === 8806 || name === 'false easting') return 'x_0';
  if (id === 8807 || name === 'false northing') return 'y_0';
  return undefined;
}

function projectionTerms(crs: WktNode): string | undefined {
  const method = find(crs, 'METHOD', 'PROJECTION');
  if (!method) return undefined;
  const name = norm(nameOf(method));
  const id = epsgIdOf(method);
  const p = params(crs);
  const v = (k: string, dflt: number) => p.get(k) ?? dflt;
  if (id === 1125 || id === 9832 || name === 'azimuthal equidistant' || name === 'modified azimuthal equidistant') {
    return `+proj=aeqd +lat_0=${v('lat_0', 0)} +lon_0=${v('lon_0', 0)} +x_0=${v('x_0', 0)} +y_0=${v('y_0', 0)}`;
  }
  if (id === 9807 || name === 'transverse mercator' || name === 'gauss kruger') {
    const [lat0, lon0, k0, x0, y0] = [v('lat_0', 0), v('lon_0', 0), v('k_0', 1), v('x_0', 0), v('y_0', 0)];
    const zone = (lon0 + 183) / 6;
    if (lat0 === 0 && k0 === 0.9996 && x0 === 500000 && (y0 === 0 || y0 === 10000000) && Number.isInteger(zone) && zone >= 1 && zone <= 60) {
      return `+proj=utm +zone=${zone}${y0 === 0 ? '' : ' +south'}`;
    }
    return `+proj=tmerc +lat_0=${lat0} +lon_0=${lon0} +k_0=${k0} +x_0=${x0} +y_0=${y0}`;
  }
  return undefined;
}
