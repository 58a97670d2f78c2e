/**
 * Loads the collections file (JSON, or YAML by extension), validates it with ajv and resolves paths: static
 * hrefs may start with `${dataDir}` (replaced by the data folder) or be relative to the file's own folder.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import proj4 from 'proj4';
import YAML from 'yaml';
import { ConfigError } from '../config.ts';
import { COLLECTIONS_FILE_SCHEMA } from './collections-schema.ts';
import type { CollectionEntry, CrsSpec } from './types.ts';

export interface CollectionsLoadOptions {
  /** Replaces `${dataDir}` at the start of static hrefs. */
  dataDir?: string;
}

const DATA_DIR_TOKEN = '${dataDir}';

/** `/collections/0/source/url` → `collections[0].source.url`. */
function fieldName(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '') || '(root)';
}

function describeAjvError(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'required') return `${fieldName(e.instancePath, String(p.missingProperty))} is required`;
  if (e.keyword === 'additionalProperties') return `${fieldName(e.instancePath, String(p.additionalProperty))} is not an allowed field`;
  if (e.keyword === 'enum') return `${fieldName(e.instancePath)} must be one of ${(p.allowedValues as unknown[]).join(', ')}`;
  if (e.keyword === 'discriminator') return `${fieldName(e.instancePath, 'type')} must be 'stac-api' or 'static'`;
  return `${fieldName(e.instancePath)} ${e.message ?? 'is invalid'}`;
}

/** The native extent of a lon/lat bbox: the densified outline projected with proj4. */
function projectBbox(b: number[], crs: CrsSpec): [number, number, number, number] | undefined {
  const def = crs.proj4 ?? (crs.epsg === 4326 || crs.epsg === 3857 ? `EPSG:${crs.epsg}` : undefined);
  if (!def) return undefined;
  const [w, s, e, n] = b;
  const conv = proj4('EPSG:4326', def);
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  const steps = 32;
  for (let i = 0; i <= steps; i++) {
    const fx = w + ((e - w) * i) / steps, fy = s + ((n - s) * i) / steps;
    for (const [lon, lat] of [[fx, s], [fx, n], [w, fy], [e, fy]]) {
      const [x, y] = conv.forward([lon, lat]);
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    }
  }
  return [x0, y0, x1, y1];
}

function semanticChecks(raw: Record<string, any>, i: number, file: string): void {
  const at = (field: string) => `Collections file ${file}: collections[${i}].${field}`;
  const names = new Set<string>();
  raw.bands.forEach((b: { name: string }, k: number) => {
    if (names.has(b.name)) throw new ConfigError(`${at(`bands[${k}].name`)} repeats band '${b.name}'`);
    names.add(b.name);
  });
  raw.extent.spatial.bbox.forEach((b: number[], k: number) => {
    const [w, s, e, n] = b;
    if (![w, e].every((v) => v >= -180 && v <= 180) || ![s, n].every((v) => v >= -90 && v <= 90) || s > n) {
      throw new ConfigError(`${at(`extent.spatial.bbox[${k}]`)} must be [west, south, east, north] in degrees`);
    }
  });
  raw.extent.temporal.interval.forEach((iv: (string | null)[], k: number) => {
    const t = iv.map((v, j) => {
      if (v === null) return null;
      const ms = Date.parse(v);
      if (Number.isNaN(ms) || !/^\d{4}-\d\d-\d\dT/.test(v)) throw new ConfigError(`${at(`extent.temporal.interval[${k}][${j}]`)} must be an RFC 3339 date-time or null`);
      return ms;
    });
    if (t[0] !== null && t[1] !== null && t[0] > t[1]) throw new ConfigError(`${at(`extent.temporal.interval[${k}]`)} ends before it starts`);
  });
}

/** Validates a parsed collections document; `file` is used for messages and to resolve relative hrefs. */
export function parseCollectionsConfig(doc: unknown, file: string, opts: CollectionsLoadOptions = {}): CollectionEntry[] {
  const ajv = new Ajv({ allErrors: true, discriminator: true, strict: true });
  const validate = ajv.compile(COLLECTIONS_FILE_SCHEMA);
  if (!validate(doc)) {
    const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if').slice(0, 5).map(describeAjvError);
    throw new ConfigError(`Collections file ${file} is invalid: ${[...new Set(errors)].join('; ')}`);
  }
  const seen = new Set<string>();
  const baseDir = path.dirname(path.resolve(file));
  return (doc as { collections: Record<string, any>[] }).collections.map((raw, i) => {
    if (seen.has(raw.id)) throw new ConfigError(`Collections file ${file}: collections[${i}].id repeats '${raw.id}'`);
    seen.add(raw.id);
    semanticChecks(raw, i, file);
    const source = { ...raw.source };
    if (source.type === 'static') {
      let href: string = source.href;
      if (href.startsWith(DATA_DIR_TOKEN)) {
        if (!opts.dataDir) throw new ConfigError(`Collections file ${file}: collections[${i}].source.href uses ${DATA_DIR_TOKEN} but no data folder was given`);
        href = path.join(opts.dataDir, href.slice(DATA_DIR_TOKEN.length));
      } else if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(href)) {
        href = path.resolve(baseDir, href);
      }
      source.href = href;
    }
    const res = raw.grid.resolution;
    const resolution: [number, number] = typeof res === 'number' ? [res, res] : [res[0], res[1]];
    const extent = raw.grid.extent ?? projectBbox(raw.extent.spatial.bbox[0], raw.grid.crs);
    if (!extent) {
      throw new ConfigError(`Collections file ${file}: collections[${i}].grid.extent is required unless grid.crs has proj4 or is EPSG:4326/3857`);
    }
    const entry: CollectionEntry = { ...raw, source, grid: { crs: raw.grid.crs, resolution, extent } } as CollectionEntry;
    return Object.freeze(entry);
  });
}

/** Reads and validates the collections file at `file` (JSON, or YAML when it ends in .yaml/.yml). */
export async function loadCollections(file: string, opts: CollectionsLoadOptions = {}): Promise<CollectionEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`Cannot read the collections file ${file}: ${(e as { code?: string }).code ?? e}`);
  }
  let doc: unknown;
  try {
    doc = /\.ya?ml$/i.test(file) ? YAML.parse(text) : JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`Collections file ${file} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(e as Error).message}`);
  }
  return parseCollectionsConfig(doc, file, opts);
}
