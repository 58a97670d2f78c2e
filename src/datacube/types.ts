/**
 * The data cube as processes build it: a lazy, JSON-serializable expression tree plus its metadata. Nothing here
 * holds pixels; the chunk evaluator turns a tree into planes for one output window at a time, so the same plan can
 * be shipped to worker threads or other machines.
 */
import type { Grid } from '../raster/grid/types.ts';
import type { ParsedGraphJson } from './callback-json.ts';

export type DType = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';

/** A band as loaded: where its pixels come from and what their raw nodata value is. */
export interface LoadBand {
  name: string;
  asset: string;
  dtype: DType;
  nodata: number | null;
}

/** One source raster of one time step: an asset href and its native grid. */
export interface LoadItem {
  id: string;
  grid: Grid;
  /** href per band name */
  hrefs: Record<string, string>;
}

export interface LoadStep {
  label: string;
  items: LoadItem[];
}

/** A callback (`process_graph`) carried as plain JSON, compiled where the chunk runs. */
export interface CallbackSpec {
  graph: ParsedGraphJson;
  parameterNames: string[];
  /** Values of the callback's `context` parameter. */
  context?: unknown;
}

/** The dimensions apply_dimension works along: time and bands, or the spatial ones with as many values as it gets. */
export type ApplyAxis = 'time' | 'bands' | 'x' | 'y';

export type CubeNode =
  /**
   * `clip`: the grid the load had before resample_spatial moved it onto `grid`; pixels of `grid` whose centre lies
   * outside it are no-data (the load read only that extent, even where its items hold more).
   */
  | { op: 'load'; collection: string; grid: Grid; bands: LoadBand[]; steps: LoadStep[]; clip?: Grid }
  /** Keeps time steps / bands by index into the input's labels. */
  | { op: 'select'; input: CubeNode; times?: number[]; bands?: number[] }
  /** A window of the input grid (filter_bbox on a computed cube). */
  | { op: 'crop'; input: CubeNode; col: number; row: number }
  | { op: 'apply'; input: CubeNode; callback: CallbackSpec }
  /** `labels`: the time labels the reducer sees (absent: it sees indices). */
  | { op: 'reduce_time'; input: CubeNode; callback: CallbackSpec; labels?: string[] }
  | { op: 'reduce_bands'; input: CubeNode; callback: CallbackSpec; labels: string[] }
  /**
   * apply_dimension: each pixel's values along `source` (labeled with `labels`) become `size` values along `target`;
   * when source and target differ, the target had one label (or the source was the only other one) before.
   * Along x or y (source = target, labels the pixel-centre coordinates, size their number) the callback sees one whole
   * row or column of the node's grid, whatever window is asked of it.
   */
  | { op: 'apply_dimension'; input: CubeNode; callback: CallbackSpec; source: ApplyAxis; target: ApplyAxis; labels: (string | number)[]; size: number }
  | { op: 'mask'; input: CubeNode; mask: CubeNode; replacement: number | null; maskHasTime: boolean; maskHasBands: boolean }
  /** Bands of `a` then the bands of `b` that `a` lacks; overlapping bands resolved by `resolver` (x from a, y from b). */
  | { op: 'merge'; a: CubeNode; b: CubeNode; bandMap: { from: 'a' | 'b' | 'both'; a?: number; b?: number }[]; timeMap: { a?: number; b?: number }[]; resolver?: CallbackSpec }
  /** Nearest-neighbour warp of the input onto another grid. */
  | { op: 'resample'; input: CubeNode; grid: Grid }
  /** Groups of time steps reduced to one each (aggregate_temporal_period). */
  | { op: 'aggregate_time'; input: CubeNode; groups: number[][]; callback: CallbackSpec };

export interface Dimension {
  name: string;
  type: 'spatial' | 'temporal' | 'bands' | 'other';
}

/** What a cube looks like: its grid (x, y), optional time and bands labels, and per-band value hints. */
export interface CubeMeta {
  grid: Grid;
  x: string;
  y: string;
  time?: { name: string; labels: string[] };
  bands?: { name: string; labels: string[] };
  /** The narrowest type that holds every value, used as the default output type. */
  dtype: DType;
}

export interface DataCube {
  readonly kind: 'datacube';
  readonly meta: CubeMeta;
  readonly node: CubeNode;
}

export const isDataCube = (v: unknown): v is DataCube =>
  typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'datacube';

export const cube = (meta: CubeMeta, node: CubeNode): DataCube => ({ kind: 'datacube', meta, node });

/** Number of time steps and bands, where a missing dimension counts as one step / one band. */
export const timeCount = (m: CubeMeta): number => m.time?.labels.length ?? 1;
export const bandCount = (m: CubeMeta): number => m.bands?.labels.length ?? 1;
