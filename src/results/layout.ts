/** Where a job's results live in the object store; every run writes below its own job prefix. */
export const jobResultsPrefix = (jobId: string): string => `jobs/${jobId}/`;

export const jobResultKey = (jobId: string, path: string): string => `${jobResultsPrefix(jobId)}${path}`;

/** One result file as the executor records it; `path` is relative to the job's results prefix. */
export interface StoredAsset {
  path: string;
  type: string;
  roles: string[];
  title?: string;
  /** Further STAC asset fields (proj:*, raster:bands, file:size …). */
  [field: string]: unknown;
}

/** What the executor stores in `jobs.results` and the results document is built from. */
export interface StoredResults {
  assets: Record<string, StoredAsset>;
  bbox?: number[];
  geometry?: Record<string, unknown> | null;
  properties?: Record<string, unknown>;
}
