import type { Config } from '../config.ts';
import type { JobRow } from '../db/schema.ts';
import { iso } from '../api/http.ts';
import type { StoredResults } from './layout.ts';
import type { ResultSigner } from './signing.ts';

/** The STAC extensions by field prefix; a results document declares those whose fields it has. */
const EXTENSIONS: Record<string, string> = {
  proj: 'https://stac-extensions.github.io/projection/v2.0.0/schema.json',
  raster: 'https://stac-extensions.github.io/raster/v1.1.0/schema.json',
  eo: 'https://stac-extensions.github.io/eo/v1.1.0/schema.json',
  file: 'https://stac-extensions.github.io/file/v2.1.0/schema.json',
  xarray: 'https://stac-extensions.github.io/xarray-assets/v1.0.0/schema.json',
};

/** Derived from the fields, not stored: results of earlier runs (with other fields) get a matching list too. */
function extensionsUsed(...objects: (object | object[])[]): string[] {
  const prefixes = new Set<string>();
  for (const o of objects.flat()) for (const k of Object.keys(o)) if (k.includes(':')) prefixes.add(k.slice(0, k.indexOf(':')));
  return Object.entries(EXTENSIONS).filter(([p]) => prefixes.has(p)).map(([, url]) => url);
}

/**
 * The STAC Item of GET /jobs/{id}/results: every asset href is a signed link that works without authentication,
 * and the `canonical` link is a signed URL of this same document. `openeo:status` and `expires` are Item
 * properties in the spec (top-level fields only of a results Collection); partial results must carry the status.
 */
export function resultsDocument(
  config: Config,
  signer: ResultSigner,
  job: JobRow,
  now = Date.now(),
  /** What is known of results still being computed (partial documents): footprint, projection, time. */
  planned?: Omit<StoredResults, 'assets'>,
): Record<string, unknown> {
  const expires = Math.floor(now / 1000) + config.limits.resultLinkTtlSeconds;
  const token = signer.sign({ jobId: job.id, run: job.run, expires });
  const base = `${config.publicUrl}/results/${token}`;
  const stored = (job.results ?? { ...planned, assets: {} }) as unknown as StoredResults;
  const assets: Record<string, unknown> = {};
  for (const [name, { path, ...fields }] of Object.entries(stored.assets)) {
    assets[name] = { ...fields, href: `${base}/${path.split('/').map(encodeURIComponent).join('/')}` };
  }
  const properties: Record<string, unknown> = {
    datetime: null,
    ...stored.properties,
    title: job.title ?? undefined,
    description: job.description ?? undefined,
    created: iso(job.created),
    updated: iso(job.updated),
    expires: new Date(expires * 1000).toISOString(),
    // the spec's statuses have no `created` or `queued`: results not yet final are `running`
    'openeo:status': job.status === 'created' || job.status === 'queued' ? 'running' : job.status,
  };
  // A value computed without data in time (JSON results), or results not yet planned: STAC needs a time, and
  // the only one there is is the processing's.
  if (properties.datetime === null && !properties.start_datetime) properties.datetime = iso(job.finished ?? job.updated);
  for (const k of Object.keys(properties)) if (properties[k] === undefined) delete properties[k];
  return {
    stac_version: '1.0.0',
    stac_extensions: extensionsUsed(properties, Object.values(assets)),
    type: 'Feature',
    id: job.id,
    bbox: stored.bbox,
    geometry: stored.geometry ?? null,
    properties,
    assets,
    links: [
      { rel: 'self', href: `${config.publicUrl}/jobs/${job.id}/results`, type: 'application/geo+json' },
      { rel: 'canonical', href: base, type: 'application/geo+json' },
      { rel: 'job', href: `${config.publicUrl}/jobs/${job.id}`, type: 'application/json' },
    ],
  };
}
