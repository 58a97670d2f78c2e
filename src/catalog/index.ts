/** Public API of the catalog module. */
export type * from './types.ts';
export { loadCollections, parseCollectionsConfig, type CollectionsLoadOptions } from './collections-config.ts';
export { COLLECTIONS_FILE_SCHEMA } from './collections-schema.ts';
export { describeCollection, summarizeCollection, queryables, referenceSystem, STAC_VERSION, EXTENSIONS } from './describe.ts';
export { createCollectionCatalog, type ConfiguredCollections } from './collection-catalog.ts';
export { createItemSource, type SourceDeps } from './sources.ts';
export { createStacApiSource, type StacApiSourceOptions } from './stac-api.ts';
export { createStaticSource, type StaticSourceOptions } from './static-source.ts';
export { openStacUrl, type OpenStacOptions, type OpenedStac } from './load-stac.ts';
export { groupByDatetime, isoLabel, type TimeStep } from './group.ts';
export { matchesQuery, geometriesIntersect, bboxToGeometry, geometryBbox, itemTimeRange } from './filter.ts';
export { fetchJson, describeUrl } from './http-json.ts';
