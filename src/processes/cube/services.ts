import type { CollectionEntry, ItemSource } from '../../catalog/index.ts';
import type { OpenedStac } from '../../catalog/load-stac.ts';
import type { DataCube } from '../../datacube/types.ts';
import { OpenEOError } from '../../errors.ts';
import type { ProcessContext } from '../../process-graph/index.ts';
import type { LoadNarrowing } from './pushdown.ts';

/** A `save_result` call: the executor writes each of these after the graph has been evaluated. */
export interface SaveRequest {
  cube: DataCube;
  format: string;
  options: Record<string, unknown>;
}

/** What data cube processes need from the outside world; injected per evaluation. */
export interface CubeServices {
  collection(id: string): CollectionEntry | undefined;
  itemSource(entry: CollectionEntry): ItemSource;
  openStac(url: string, signal: AbortSignal): Promise<OpenedStac>;
  /** Output formats known to the backend (upper-case names). */
  hasOutputFormat(name: string): boolean;
  saved: SaveRequest[];
  /** Per-load limits: grid pixels and time steps. */
  limits: { loadPixels: number; timeSteps: number };
  /** What each load_collection call (by node path) may skip, as the dry run found (`planLoadNarrowing`). */
  narrowing?: ReadonlyMap<string, LoadNarrowing>;
}

declare module '../../process-graph/types.ts' {
  interface ProcessServices {
    cubes?: CubeServices;
  }
}

export function cubeServices(ctx: ProcessContext, processId: string): CubeServices {
  const s = ctx.services.cubes;
  if (!s) throw new OpenEOError('FeatureUnsupported', `Process '${processId}' needs data access, which is not available here.`);
  return s;
}
