/**
 * The STAC Collection documents of `GET /collections` (short form) and `GET /collections/{id}` (full form with
 * the datacube extension), and the queryables of `GET /collections/{id}/queryables`.
 */
import type { CollectionEntry, CrsSpec, StacLink } from './types.ts';

export const STAC_VERSION = '1.0.0';
export const EXTENSIONS = {
  datacube: 'https://stac-extensions.github.io/datacube/v2.2.0/schema.json',
  eo: 'https://stac-extensions.github.io/eo/v1.1.0/schema.json',
  raster: 'https://stac-extensions.github.io/raster/v1.1.0/schema.json',
  projection: 'https://stac-extensions.github.io/projection/v1.1.0/schema.json',
} as const;
export const QUERYABLES_REL = 'http://www.opengis.net/def/rel/ogc/1.0/queryables';

/** Licenses that are not SPDX identifiers and so get no automatic SPDX link. */
const NON_SPDX = new Set(['proprietary', 'various', 'other']);

const trimBase = (baseUrl: string) => baseUrl.replace(/\/+$/, '');
const collectionUrl = (entry: CollectionEntry, baseUrl: string) => `${trimBase(baseUrl)}/collections/${encodeURIComponent(entry.id)}`;

/** The CRS as the datacube extension wants it: EPSG code, else PROJJSON, else WKT2, else a PROJ string. */
export function referenceSystem(crs: CrsSpec): number | string | Record<string, unknown> {
  return crs.epsg ?? crs.projjson ?? crs.wkt2 ?? crs.proj4 ?? 4326;
}

function links(entry: CollectionEntry, baseUrl: string): StacLink[] {
  const list = trimBase(baseUrl) + '/collections';
  const own = entry.links ?? [];
  const out: StacLink[] = [
    { rel: 'self', href: collectionUrl(entry, baseUrl), type: 'application/json' },
    // the STAC root is the landing page (GET /, a STAC Catalog); the list of collections is the parent
    { rel: 'root', href: `${trimBase(baseUrl)}/`, type: 'application/json' },
    { rel: 'parent', href: list, type: 'application/json' },
  ];
  if (!own.some((l) => l.rel === 'license') && !NON_SPDX.has(entry.license)) {
    out.push({ rel: 'license', href: `https://spdx.org/licenses/${encodeURIComponent(entry.license)}.html`, type: 'text/html' });
  }
  out.push({ rel: QUERYABLES_REL, href: `${collectionUrl(entry, baseUrl)}/queryables`, type: 'application/schema+json', title: 'Queryables' });
  return [...out, ...own.map((l) => ({ ...l }))];
}

function common(entry: CollectionEntry, baseUrl: string): Record<string, unknown> {
  return {
    stac_version: STAC_VERSION,
    type: 'Collection',
    id: entry.id,
    ...(entry.title !== undefined ? { title: entry.title } : {}),
    description: entry.description,
    license: entry.license,
    ...(entry.keywords ? { keywords: [...entry.keywords] } : {}),
    ...(entry.providers ? { providers: entry.providers.map((p) => ({ ...p })) } : {}),
    extent: structuredClone(entry.extent),
    links: links(entry, baseUrl),
  };
}

/** The short form listed by `GET /collections` (no summaries or cube:dimensions, as the spec recommends). */
export function summarizeCollection(entry: CollectionEntry, baseUrl: string): Record<string, unknown> {
  return { ...common(entry, baseUrl), stac_extensions: [] };
}

/** The full STAC Collection served by `GET /collections/{id}`. */
export function describeCollection(entry: CollectionEntry, baseUrl: string): Record<string, unknown> {
  const { crs, resolution, extent } = entry.grid;
  const rs = referenceSystem(crs);
  const bandNames = entry.bands.map((b) => b.name);
  const describedBand = (b: CollectionEntry['bands'][number]) => ({ name: b.name, ...(b.description ? { description: b.description } : {}) });
  const summaries: Record<string, unknown> = {
    'eo:bands': entry.bands.map(describedBand),
    bands: entry.bands.map((b) => ({ ...describedBand(b), data_type: b.data_type, nodata: b.nodata })),
    'raster:bands': entry.bands.map((b) => ({ name: b.name, data_type: b.data_type, nodata: b.nodata, spatial_resolution: resolution[0] })),
    gsd: [resolution[0]],
    ...(crs.wkt2 ? { 'proj:wkt2': [crs.wkt2] } : {}),
    ...(crs.epsg ? { 'proj:epsg': [crs.epsg] } : {}),
    ...structuredClone(entry.summaries ?? {}),
  };
  return {
    ...common(entry, baseUrl),
    stac_extensions: [EXTENSIONS.datacube, EXTENSIONS.eo, EXTENSIONS.raster, EXTENSIONS.projection],
    'cube:dimensions': {
      x: { type: 'spatial', axis: 'x', extent: [extent[0], extent[2]], step: resolution[0], reference_system: rs },
      y: { type: 'spatial', axis: 'y', extent: [extent[1], extent[3]], step: resolution[1], reference_system: rs },
      t: { type: 'temporal', extent: [...entry.extent.temporal.interval[0]], step: null },
      bands: { type: 'bands', values: bandNames },
    },
    summaries,
  };
}

/** JSON Schema of the item properties users may filter on (`properties` of load_collection). */
export function queryables(entry: CollectionEntry, baseUrl: string): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2019-09/schema',
    $id: `${collectionUrl(entry, baseUrl)}/queryables`,
    type: 'object',
    title: entry.title ?? entry.id,
    properties: structuredClone(entry.queryables ?? {}),
    additionalProperties: false,
  };
}
