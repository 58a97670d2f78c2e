/**
 * GeoTIFF georeferencing tags: the GeoKey directory for an EPSG code or a user-defined projection, and the
 * raster-to-model transform (pixel scale + tiepoint, or a full transformation matrix when rotated).
 */
import proj4 from 'proj4';
import { OpenEOError } from '../../errors.ts';
import { type IfdEntry, TiffType } from './tiff-ifd.ts';

export type CogCrs =
  /** `geographic` defaults to codes 4000–4999 (EPSG's range for geographic 2D CRSs). */
  | { epsg: number; geographic?: boolean; name?: string }
  /** A proj4 string (aeqd, laea, tmerc on WGS84; `+proj=longlat +datum=WGS84` and WGS84 UTM map to EPSG codes). */
  | { proj4: string; name?: string }
  /** WKT1 (as proj4js parses it); a top-level EPSG authority wins over the parameters. */
  | { wkt: string; name?: string };

/** GDAL order: [x0, pixelWidth, rowRotation, y0, colRotation, pixelHeight (negative for north-up)]. */
export type GeoTransform = readonly [number, number, number, number, number, number];

const TAG = {
  ModelPixelScale: 33550,
  ModelTiepoint: 33922,
  ModelTransformation: 34264,
  GeoKeyDirectory: 34735,
  GeoDoubleParams: 34736,
  GeoAsciiParams: 34737,
} as const;

const KEY = {
  GTModelType: 1024,
  GTRasterType: 1025,
  GTCitation: 1026,
  GeographicType: 2048,
  GeogAngularUnits: 2054,
  ProjectedCSType: 3072,
  PCSCitation: 3073,
  Projection: 3074,
  ProjCoordTrans: 3075,
  ProjLinearUnits: 3076,
  ProjNatOriginLong: 3080,
  ProjNatOriginLat: 3081,
  ProjFalseEasting: 3082,
  ProjFalseNorthing: 3083,
  ProjCenterLong: 3088,
  ProjCenterLat: 3089,
  ProjScaleAtNatOrigin: 3092,
} as const;

const USER_DEFINED = 32767;
const MODEL_PROJECTED = 1;
const MODEL_GEOGRAPHIC = 2;
const RASTER_PIXEL_IS_AREA = 1;
const LINEAR_METRE = 9001;
const ANGULAR_DEGREE = 9102;
const CT_TRANSVERSE_MERCATOR = 1;
const CT_LAMBERT_AZIM_EQUAL_AREA = 10;
const CT_AZIMUTHAL_EQUIDISTANT = 12;

type KeyValue = { key: number; short: number } | { key: number; doubles: number[] } | { key: number; ascii: string };

function epsgKeys(code: number, geographic: boolean): KeyValue[] {
  return geographic
    ? [
        { key: KEY.GTModelType, short: MODEL_GEOGRAPHIC },
        { key: KEY.GTRasterType, short: RASTER_PIXEL_IS_AREA },
        { key: KEY.GeographicType, short: code },
        { key: KEY.GeogAngularUnits, short: ANGULAR_DEGREE },
      ]
    : [
        { key: KEY.GTModelType, short: MODEL_PROJECTED },
        { key: KEY.GTRasterType, short: RASTER_PIXEL_IS_AREA },
        { key: KEY.ProjectedCSType, short: code },
        { key: KEY.ProjLinearUnits, short: LINEAR_METRE },
      ];
}

interface ParsedProj {
  names?: string[];
  projName?: string;
  lat0?: number;
  long0?: number;
  x0?: number;
  y0?: number;
  k0?: number;
  a?: number;
  rf?: number;
  zone?: number;
  utmSouth?: boolean;
  to_meter?: number;
}

const RAD = 180 / Math.PI;
const isWgs84 = (p: ParsedProj): boolean =>
  p.a === 6378137 && p.rf !== undefined && Math.abs(p.rf - 298.257223563) < 1e-6;

function userDefinedKeys(p: ParsedProj, name: string | undefined): KeyValue[] {
  const names = new Set((p.names ?? [p.projName ?? '']).map((n) => n.toLowerCase()));
  if (!isWgs84(p)) throw new OpenEOError('FeatureUnsupported', 'GeoTIFF writer: only WGS84-based CRSs are supported');
  if ((p.to_meter ?? 1) !== 1) throw new OpenEOError('FeatureUnsupported', 'GeoTIFF writer: only metre units');
  if (names.has('longlat')) return epsgKeys(4326, true);
  if (names.has('utm') && p.zone) return epsgKeys((p.utmSouth ? 32700 : 32600) + p.zone, false);
  let method: KeyValue[];
  if (names.has('aeqd') || names.has('laea')) {
    method = [
      { key: KEY.ProjCoordTrans, short: names.has('aeqd') ? CT_AZIMUTHAL_EQUIDISTANT : CT_LAMBERT_AZIM_EQUAL_AREA },
      { key: KEY.ProjCenterLong, doubles: [(p.long0 ?? 0) * RAD] },
      { key: KEY.ProjCenterLat, doubles: [(p.lat0 ?? 0) * RAD] },
    ];
  } else if (names.has('tmerc') || names.has('etmerc')) {
    method = [
      { key: KEY.ProjCoordTrans, short: CT_TRANSVERSE_MERCATOR },
      { key: KEY.ProjNatOriginLong, doubles: [(p.long0 ?? 0) * RAD] },
      { key: KEY.ProjNatOriginLat, doubles: [(p.lat0 ?? 0) * RAD] },
      { key: KEY.ProjScaleAtNatOrigin, doubles: [p.k0 ?? 1] },
    ];
  } else {
    throw new OpenEOError('FeatureUnsupported', `GeoTIFF writer: projection ${[...names].join('/')} is not supported`);
  }
  return [
    { key: KEY.GTModelType, short: MODEL_PROJECTED },
    { key: KEY.GTRasterType, short: RASTER_PIXEL_IS_AREA },
    ...(name ? [{ key: KEY.GTCitation, ascii: name }, { key: KEY.PCSCitation, ascii: name }] : []),
    { key: KEY.GeographicType, short: 4326 },
    { key: KEY.GeogAngularUnits, short: ANGULAR_DEGREE },
    { key: KEY.ProjectedCSType, short: USER_DEFINED },
    { key: KEY.Projection, short: USER_DEFINED },
    { key: KEY.ProjLinearUnits, short: LINEAR_METRE },
    { key: KEY.ProjFalseEasting, doubles: [p.x0 ?? 0] },
    { key: KEY.ProjFalseNorthing, doubles: [p.y0 ?? 0] },
    ...method,
  ];
}

function parseDefinition(def: string): ParsedProj {
  try {
    return new proj4.Proj(def) as unknown as ParsedProj;
  } catch (e) {
    throw new OpenEOError('ProcessParameterInvalid', 'GeoTIFF writer: cannot parse the CRS definition', { cause: e });
  }
}

function crsKeys(crs: CogCrs): KeyValue[] {
  if ('epsg' in crs) {
    if (!Number.isInteger(crs.epsg) || crs.epsg <= 0 || crs.epsg >= USER_DEFINED)
      throw new OpenEOError('ProcessParameterInvalid', `GeoTIFF writer: invalid EPSG code ${crs.epsg}`);
    return epsgKeys(crs.epsg, crs.geographic ?? (crs.epsg >= 4000 && crs.epsg < 5000));
  }
  if ('wkt' in crs) {
    const authority = /(?:AUTHORITY\["EPSG",\s*"(\d+)"\]|ID\["EPSG",\s*(\d+)\])\s*\]\s*$/.exec(crs.wkt);
    const geographic = /^\s*(GEOGCS|GEOGCRS|GEODCRS)\[/.test(crs.wkt);
    if (authority) return epsgKeys(Number(authority[1] ?? authority[2]), geographic);
    return userDefinedKeys(parseDefinition(crs.wkt), crs.name);
  }
  return userDefinedKeys(parseDefinition(crs.proj4), crs.name);
}

/** The GeoKeyDirectory / GeoDoubleParams / GeoAsciiParams entries for `crs`. */
export function geoKeyEntries(crs: CogCrs): IfdEntry[] {
  const keys = crsKeys(crs).sort((a, b) => a.key - b.key);
  const dir: number[] = [1, 1, 0, keys.length];
  const doubles: number[] = [];
  let ascii = '';
  for (const k of keys) {
    if ('short' in k) dir.push(k.key, 0, 1, k.short);
    else if ('doubles' in k) {
      dir.push(k.key, TAG.GeoDoubleParams, k.doubles.length, doubles.length);
      doubles.push(...k.doubles);
    } else {
      const text = `${k.ascii.replace(/\|/g, '/')}|`;
      dir.push(k.key, TAG.GeoAsciiParams, text.length, ascii.length);
      ascii += text;
    }
  }
  const entries: IfdEntry[] = [{ tag: TAG.GeoKeyDirectory, type: TiffType.SHORT, values: dir }];
  if (doubles.length) entries.push({ tag: TAG.GeoDoubleParams, type: TiffType.DOUBLE, values: doubles });
  if (ascii) entries.push({ tag: TAG.GeoAsciiParams, type: TiffType.ASCII, values: ascii });
  return entries;
}

/** Pixel-to-model tags: scale + tiepoint for north-up grids, a 4x4 transformation otherwise. */
export function transformEntries(gt: GeoTransform): IfdEntry[] {
  const [x0, dx, rx, y0, ry, dy] = gt;
  if (![x0, dx, rx, y0, ry, dy].every(Number.isFinite) || dx === 0 || dy === 0)
    throw new OpenEOError('ProcessParameterInvalid', 'GeoTIFF writer: invalid geotransform');
  if (rx === 0 && ry === 0 && dx > 0 && dy < 0) {
    return [
      { tag: TAG.ModelPixelScale, type: TiffType.DOUBLE, values: [dx, -dy, 0] },
      { tag: TAG.ModelTiepoint, type: TiffType.DOUBLE, values: [0, 0, 0, x0, y0, 0] },
    ];
  }
  return [
    {
      tag: TAG.ModelTransformation,
      type: TiffType.DOUBLE,
      values: [dx, rx, 0, x0, ry, dy, 0, y0, 0, 0, 0, 0, 0, 0, 0, 1],
    },
  ];
}
