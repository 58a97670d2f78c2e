/**
 * Building `Crs` values from what STAC items and users give us (EPSG codes, `proj:code`, WKT1/WKT2, proj4
 * strings), comparing them, and making point transformers with proj4js.
 */
import proj4 from 'proj4';
import { OpenEOError, type ErrorCode } from '../../errors.ts';
import { parseWkt, WktSyntaxError } from './wkt.ts';
import { wktToProj4 } from './wkt-to-proj4.ts';
import type { Crs } from './types.ts';

export const WGS84_PROJ4 = '+proj=longlat +datum=WGS84 +no_defs';
export const EPSG4326: Crs = { proj4: WGS84_PROJ4, epsg: 4326 };

/** Errors name the offending input; callers pick the code (user parameter vs. catalog metadata). */
export interface CrsErrorOptions {
  code?: ErrorCode;
  /** Prefix naming where the CRS came from, e.g. `item X` or `resample_spatial: projection`. */
  context?: string;
}

const fail = (msg: string, o: CrsErrorOptions): never => {
  throw new OpenEOError(o.code ?? 'ProcessParameterInvalid', o.context ? `${o.context}: ${msg}` : msg);
};

/**
 * EPSG codes we can express without a database: WGS 84 geographic, Web Mercator and the WGS 84 UTM zones.
 * Anything else must come with a WKT (STAC `proj:wkt2`) or a proj4 string.
 */
export function crsFromEpsg(code: number, o: CrsErrorOptions = {}): Crs {
  if (code === 4326) return EPSG4326;
  if (code === 3857) {
    return {
      proj4: '+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +no_defs',
      epsg: 3857,
    };
  }
  const zone = code % 100;
  if ((Math.floor(code / 100) === 326 || Math.floor(code / 100) === 327) && zone >= 1 && zone <= 60) {
    const south = Math.floor(code / 100) === 327 ? ' +south' : '';
    return { proj4: `+proj=utm +zone=${zone}${south} +datum=WGS84 +units=m +no_defs`, epsg: code };
  }
  return fail(`EPSG:${code} is not supported without a WKT definition (give proj:wkt2)`, o);
}

/** `EPSG:32633`, `epsg:4326`, `urn:ogc:def:crs:EPSG::4326`, `OGC:CRS84`. */
export function crsFromCode(code: string, o: CrsErrorOptions = {}): Crs {
  const s = code.trim();
  if (/^(OGC:)?CRS84$/i.test(s) || /^urn:ogc:def:crs:OGC:[\d.]*:CRS84$/i.test(s)) return EPSG4326;
  const m = /^(?:EPSG:{1,2}|urn:ogc:def:crs:EPSG:[\d.]*:)(\d+)$/i.exec(s);
  if (!m) return fail(`unsupported CRS code '${code}'`, o);
  return crsFromEpsg(Number(m[1]), o);
}

/** WKT1 or WKT2. Our own conversion first (canonical proj4), proj4js's parser as the fallback. */
export function crsFromWkt(wkt: string, o: CrsErrorOptions = {}): Crs {
  let converted: ReturnType<typeof wktToProj4>;
  try {
    converted = wktToProj4(parseWkt(wkt));
  } catch (e) {
    if (!(e instanceof WktSyntaxError)) throw e;
    return fail(`malformed WKT (${e.message})`, o);
  }
  if (converted) return { wkt, proj4: converted.proj4, ...(converted.epsg ? { epsg: converted.epsg } : {}) };
  if (proj4Accepts(wkt)) return { wkt, proj4: wkt };
  const name = /^\s*\w+\s*[[(]\s*"([^"]*)"/.exec(wkt)?.[1] ?? '';
  return fail(
    `unsupported CRS '${name}': only geographic, Azimuthal Equidistant and Transverse Mercator/UTM WKT can be converted`,
    o,
  );
}

export function crsFromProj4(def: string, o: CrsErrorOptions = {}): Crs {
  if (!proj4Accepts(def)) fail(`proj4 cannot parse '${def}'`, o);
  return { proj4: def.trim() };
}

/** Anything a user or a catalog may give: EPSG number, code string, WKT or proj4 string. */
export function crsFromAny(v: number | string, o: CrsErrorOptions = {}): Crs {
  if (typeof v === 'number') return Number.isInteger(v) ? crsFromEpsg(v, o) : fail(`invalid EPSG code ${v}`, o);
  const s = v.trim();
  if (/^\d+$/.test(s)) return crsFromEpsg(Number(s), o);
  if (s.startsWith('+')) return crsFromProj4(s, o);
  if (/^\w+\s*[[(]/.test(s)) return crsFromWkt(s, o);
  return crsFromCode(s, o);
}

function proj4Accepts(def: string): boolean {
  try {
    const p = new proj4.Proj(def) as unknown as { projName?: string; a?: number };
    return typeof p.projName === 'string' && Number.isFinite(p.a);
  } catch {
    return false;
  }
}

/** Same CRS for grid purposes: identical canonical proj4, or both carry the same EPSG code. */
export function sameCrs(a: Crs, b: Crs): boolean {
  if (a === b || a.proj4 === b.proj4) return true;
  return a.epsg !== undefined && a.epsg === b.epsg;
}

export function isGeographic(c: Crs): boolean {
  return /\+proj=(longlat|latlong|lonlat|latlon)\b/.test(c.proj4) || c.epsg === 4326;
}

/**
 * Point transformer between two CRSs (x/y = lon/lat order for geographic CRSs). Writes into `out` and returns it;
 * points proj4 cannot transform come back as NaN instead of throwing, so callers can treat them as "outside".
 */
export type PointTransform = (x: number, y: number, out: Float64Array) => Float64Array;

export function makeTransform(from: Crs, to: Crs): PointTransform {
  if (sameCrs(from, to)) {
    return (x, y, out) => {
      out[0] = x;
      out[1] = y;
      return out;
    };
  }
  const conv = proj4(from.proj4, to.proj4);
  const inputOk = domainOf(from);
  const outputOk = isGeographic(to) ? validLonLat : () => true;
  const pt = [0, 0];
  return (x, y, out) => {
    pt[0] = x;
    pt[1] = y;
    let r: number[] | undefined;
    try {
      r = inputOk(x, y) ? conv.forward(pt) : undefined;
    } catch {
      r = undefined;
    }
    const ok = r !== undefined && Number.isFinite(r[0]) && Number.isFinite(r[1]) && outputOk(r[0], r[1]);
    out[0] = ok ? r![0] : NaN;
    out[1] = ok ? r![1] : NaN;
    return out;
  };
}

const validLonLat = (lon: number, lat: number) => Math.abs(lat) <= 90 + 1e-9 && Math.abs(lon) <= 540;

/**
 * Inputs proj4js would silently turn into garbage instead of failing like PROJ does: latitudes beyond the poles,
 * and Azimuthal Equidistant coordinates farther from the centre than the antipode.
 */
function domainOf(c: Crs): (x: number, y: number) => boolean {
  if (isGeographic(c)) return validLonLat;
  if (/\+proj=aeqd\b/.test(c.proj4)) {
    const num = (k: string) => Number(new RegExp(`\\+${k}=([-+\\d.eE]+)`).exec(c.proj4)?.[1] ?? 0);
    const [x0, y0] = [num('x_0'), num('y_0')];
    const a = num('a') || num('R') || 6378137;
    const max = Math.PI * a;
    return (x, y) => Math.hypot(x - x0, y - y0) <= max;
  }
  return () => true;
}
