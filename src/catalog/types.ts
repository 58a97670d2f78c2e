/** Types shared by the catalog module: STAC documents as we read them, searches, and configured collections. */

export type Bbox = [number, number, number, number];

/** GeoJSON geometry, as far as the catalog needs it (coordinates are lon/lat in EPSG:4326). */
export type Geometry =
  | { type: 'Point'; coordinates: number[] }
  | { type: 'MultiPoint'; coordinates: number[][] }
  | { type: 'LineString'; coordinates: number[][] }
  | { type: 'MultiLineString'; coordinates: number[][][] }
  | { type: 'Polygon'; coordinates: number[][][] }
  | { type: 'MultiPolygon'; coordinates: number[][][][] };

export interface StacLink {
  rel: string;
  href: string;
  type?: string;
  title?: string;
  /** STAC API paging extensions: how to follow a link (default GET). */
  method?: 'GET' | 'POST' | string;
  body?: Record<string, unknown>;
  merge?: boolean;
  headers?: Record<string, string>;
  [key: string]: unknown;
}

export interface StacAsset {
  /** Absolute after a source returns the item: http(s)/s3 URL, or an absolute local file path. */
  href: string;
  type?: string;
  roles?: string[];
  [key: string]: unknown;
}

export interface StacItem {
  type: 'Feature';
  stac_version?: string;
  id: string;
  collection?: string;
  geometry: Geometry | null;
  bbox?: number[];
  properties: { datetime: string | null; [key: string]: unknown };
  assets: Record<string, StacAsset>;
  links?: StacLink[];
  [key: string]: unknown;
}

/** A time interval; null = open. The end is EXCLUSIVE, as openEO's `temporal_extent` is. */
export type DatetimeInterval = [string | null, string | null];

export interface ItemQuery {
  /** lon/lat bbox (west, south, east, north); west > east crosses the antimeridian. */
  bbox?: Bbox;
  /** GeoJSON geometry in EPSG:4326; items must intersect it. */
  intersects?: Geometry;
  datetime?: DatetimeInterval;
  /** Stop after this many items (no error). */
  limit?: number;
}

/** One interface over STAC APIs and static catalogs. */
export interface ItemSource {
  search(q: ItemQuery, signal?: AbortSignal): AsyncIterable<StacItem>;
}

/** Reads an object from S3 (injected by the storage layer; the catalog has no S3 client of its own). */
export type ReadObject = (url: string, signal?: AbortSignal) => Promise<Uint8Array>;
export type FetchLike = typeof globalThis.fetch;

/** HTTP behaviour shared by all remote reads. */
export interface HttpOptions {
  fetch?: FetchLike;
  headers?: Record<string, string>;
  /** Per request, including reading the body. Default 30 s. */
  timeoutMs?: number;
  /** Retries after the first attempt on 5xx, 429, timeouts and network errors. Default 3. */
  retries?: number;
  /** First backoff delay; doubles per retry (with jitter). Default 500 ms. */
  backoffMs?: number;
  /** Longest single backoff, also the cap for Retry-After. Default 10 s. */
  maxBackoffMs?: number;
}

export interface BandSpec {
  name: string;
  asset: string;
  data_type: string;
  nodata: number | null;
  description?: string;
}

export interface CrsSpec {
  wkt2?: string;
  proj4?: string;
  epsg?: number;
  projjson?: Record<string, unknown>;
}

export type SourceSpec =
  | { type: 'stac-api'; url: string; collection: string; headers?: Record<string, string>; method?: 'GET' | 'POST'; pageSize?: number; maxItems?: number; timeoutMs?: number; retries?: number }
  | { type: 'static'; href: string; maxItems?: number; timeoutMs?: number; retries?: number };

/** One collection of the collections file, after validation and path resolution. */
export interface CollectionEntry {
  id: string;
  title?: string;
  description: string;
  license: string;
  providers?: { name: string; description?: string; roles?: string[]; url?: string }[];
  keywords?: string[];
  links?: StacLink[];
  source: SourceSpec;
  bands: BandSpec[];
  grid: {
    crs: CrsSpec;
    /** [x, y] pixel size in CRS units, positive. */
    resolution: [number, number];
    /** Native extent [xmin, ymin, xmax, ymax] in the grid CRS (computed from the lon/lat bbox when not given). */
    extent: [number, number, number, number];
  };
  extent: { spatial: { bbox: number[][] }; temporal: { interval: [string | null, string | null][] } };
  /** Item properties users may filter on (JSON Schemas by property name), served as queryables. */
  queryables?: Record<string, Record<string, unknown>>;
  summaries?: Record<string, unknown>;
}
