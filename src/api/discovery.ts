import { BILLING } from './billing.ts';
import { absoluteUrl, type Handler, type Route } from './http.ts';

export const API_VERSION = '1.2.0';
export const STAC_VERSION = '1.0.0';

export const wellKnown: Handler = (_req, res, ctx) => {
  res.json({ versions: [{ url: absoluteUrl(ctx, '/'), api_version: API_VERSION, production: false }] });
};

export const CONFORMANCE = [
  `https://api.openeo.org/${API_VERSION}`,
  'https://api.stacspec.org/v1.0.0/core',
  'https://api.stacspec.org/v1.0.0/collections',
  'http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections',
];

export const conformance: Handler = (_req, res) => {
  res.json({ conformsTo: CONFORMANCE });
};

/** `endpoints` of the capabilities, generated from the route table so it can never drift from what is served. */
export function endpointsOf(routes: Route[]): { path: string; methods: string[] }[] {
  const byPath = new Map<string, Set<string>>();
  for (const r of routes) {
    if (!byPath.has(r.path)) byPath.set(r.path, new Set());
    byPath.get(r.path)!.add(r.method.toUpperCase());
  }
  return [...byPath].map(([path, methods]) => ({ path, methods: [...methods] }));
}

export const capabilities =
  (routes: Route[], backendVersion: string): Handler =>
  (_req, res, ctx) => {
    res.json({
      api_version: API_VERSION,
      backend_version: backendVersion,
      stac_version: STAC_VERSION,
      type: 'Catalog',
      id: ctx.config.backendId,
      title: ctx.config.title,
      description:
        'openEO backend for Earth-observation rasters found through STAC: batch jobs over Cloud-Optimized GeoTIFFs, results as Zarr, GeoTIFF, netCDF or PNG in object storage.',
      production: false,
      endpoints: endpointsOf(routes),
      billing: BILLING,
      links: [
        { rel: 'self', href: absoluteUrl(ctx, '/'), type: 'application/json' },
        { rel: 'version-history', href: absoluteUrl(ctx, '/.well-known/openeo'), type: 'application/json', title: 'Supported API versions' },
        { rel: 'conformance', href: absoluteUrl(ctx, '/conformance'), type: 'application/json', title: 'Conformance classes' },
        { rel: 'data', href: absoluteUrl(ctx, '/collections'), type: 'application/json', title: 'Collections' },
        { rel: 'service-desc', href: absoluteUrl(ctx, '/openapi.yaml'), type: 'application/vnd.oai.openapi;version=3.0', title: 'OpenAPI description of this service' },
      ],
    });
  };
