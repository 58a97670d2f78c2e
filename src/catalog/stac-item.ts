/** Checks the shape of STAC documents read from outside and makes their hrefs absolute. */
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { OpenEOError } from '../errors.ts';
import { describeUrl } from './http-json.ts';
import type { StacItem, StacLink } from './types.ts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A local path or any URL → URL string (local paths become file: URLs). */
export function toUrl(pathOrUrl: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(pathOrUrl)) return pathOrUrl;
  return pathToFileURL(path.resolve(pathOrUrl)).href;
}

/**
 * Resolves an href against the URL of the document it appeared in. Documents that are not local files may not
 * point at local files: a remote catalog (or a user's load_stac URL) must never make us read this server's files.
 */
export function resolveHref(href: string, baseUrl: string): string {
  let url: string;
  try {
    url = new URL(href, baseUrl).href;
  } catch {
    throw new OpenEOError('UpstreamInvalid', `The document ${describeUrl(baseUrl)} has an invalid href '${href}'.`);
  }
  if (url.startsWith('file:') && !baseUrl.startsWith('file:')) {
    throw new OpenEOError('UpstreamInvalid', `The document ${describeUrl(baseUrl)} links to a local file, which is not allowed.`);
  }
  return url;
}

/** What readers downstream expect: local files as absolute paths, everything else as URLs. */
export function toAssetHref(url: string): string {
  return url.startsWith('file:') ? fileURLToPath(url) : url;
}

export function assertLinks(doc: Record<string, unknown>, where: string): StacLink[] {
  const links = doc.links ?? [];
  if (!Array.isArray(links) || !links.every((l) => isObject(l) && typeof l.rel === 'string' && typeof l.href === 'string')) {
    throw new OpenEOError('UpstreamInvalid', `${where}: 'links' must be an array of {rel, href}.`);
  }
  return links as StacLink[];
}

/** Validates the fields we rely on; anything else about the item is passed through untouched. */
export function assertItem(value: unknown, where: string): StacItem {
  const bad = (what: string) => new OpenEOError('UpstreamInvalid', `${where}: not a valid STAC item (${what}).`);
  if (!isObject(value) || value.type !== 'Feature') throw bad("'type' is not 'Feature'");
  if (typeof value.id !== 'string' || value.id === '') throw bad("'id' is missing");
  if (!isObject(value.properties)) throw bad(`item '${value.id}' has no 'properties'`);
  const dt = value.properties.datetime;
  if (dt !== null && typeof dt !== 'string') throw bad(`item '${value.id}' has no 'properties.datetime'`);
  if (!isObject(value.assets)) throw bad(`item '${value.id}' has no 'assets'`);
  for (const [key, a] of Object.entries(value.assets)) {
    if (!isObject(a) || typeof a.href !== 'string') throw bad(`asset '${key}' of item '${value.id}' has no 'href'`);
  }
  if (value.geometry !== null && value.geometry !== undefined && !isObject(value.geometry)) {
    throw bad(`item '${value.id}' has an invalid 'geometry'`);
  }
  return value as unknown as StacItem;
}

/** A copy of the item whose asset and link hrefs are absolute (see `toAssetHref`). */
export function absolutizeItem(item: StacItem, docUrl: string): StacItem {
  const assets: StacItem['assets'] = {};
  for (const [key, a] of Object.entries(item.assets)) assets[key] = { ...a, href: toAssetHref(resolveHref(a.href, docUrl)) };
  const links = Array.isArray(item.links) ? item.links.map((l) => ({ ...l, href: resolveHref(l.href, docUrl) })) : item.links;
  return { ...item, geometry: item.geometry ?? null, assets, links };
}

/** Validates a FeatureCollection and returns its features. */
export function assertItemCollection(value: unknown, where: string): { features: unknown[]; links: StacLink[] } {
  if (!isObject(value) || value.type !== 'FeatureCollection' || !Array.isArray(value.features)) {
    throw new OpenEOError('UpstreamInvalid', `${where}: expected a GeoJSON FeatureCollection with 'features'.`);
  }
  return { features: value.features, links: assertLinks(value, where) };
}

export { isObject };
