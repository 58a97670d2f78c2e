/**
 * Filter pushdown: a dry run (`planGraph`) before evaluation finds, for each load_collection call, the time range and
 * bands that all of its uses need, so that the load searches and lists only those items and asks only those assets.
 *
 * Planning values are `CubeUse`s: the load they come from plus what the filters applied so far keep. filter_temporal,
 * filter_bands and filter_bbox pass a narrower use on; reduce_dimension over bands with a reducer that picks bands by
 * label ends one. A use read by anything else (a process without a plan hook, a callback that could see it, the
 * graph's result) needs all it holds; the load needs the union (time: hull) of its uses' needs.
 *
 * Results stay identical to loading everything: the narrowed load keeps the data type and grid asset of the full
 * band list, and the filters still run (they select by label, so they pick the same steps and bands). Time is pushed
 * only when the load has a spatial extent: the output grid then depends on the items only through their most common
 * CRS / resolution / anchor (the same for any time range when the items share them, as tiles of one grid do), while
 * without an extent it is the union of all the items' footprints, which a shorter time range changes. Bounding boxes
 * are not pushed: the grid and its edge pixels depend on them.
 */
import type { CollectionEntry } from '../../catalog/index.ts';
import { planGraph, type Argument, type Callback, type ParsedGraph, type PlanContext, type ProcessArgs, type Program } from '../../process-graph/index.ts';
import { instant, temporalExtent, temporalExtentEmpty } from './extents.ts';
import type { CubeServices } from './services.ts';

/** [start, end) in ms; null is open. */
type Interval = [number | null, number | null];

/** What one load_collection call may skip, keyed by its node path. */
export interface LoadNarrowing {
  /** Replaces the load's temporal extent (always within it; null ends are open). */
  time?: Interval;
  /** Keeps only these bands (a strict subset of the loaded ones); order, data type and grid asset stay. */
  bands?: readonly string[];
}

interface LoadRecord {
  key: string;
  /** Band names the load gives, in order. */
  bands: readonly string[];
  own?: Interval;
  hasExtent: boolean;
  uses: CubeUse[];
}

/** The planning value of a cube that is a load narrowed by filters. */
class CubeUse {
  /** Taken as input by a filter (which carries the narrowing on). */
  filtered = false;
  /** Read by something the dry run cannot see into. */
  opaque = false;
  constructor(
    readonly load: LoadRecord,
    /** null: all of the load's time steps; an empty interval needs none. */
    readonly time: Interval | null,
    readonly bands: ReadonlySet<string> | null,
  ) {
    load.uses.push(this);
  }
}

export class PushdownPlan {
  readonly loads: LoadRecord[] = [];
  constructor(readonly collection: (id: string) => CollectionEntry | undefined) {}

  /** The narrowing per load path; loads with nothing to skip are left out. */
  narrowings(): Map<string, LoadNarrowing> {
    const out = new Map<string, LoadNarrowing>();
    for (const load of this.loads) {
      const needed = load.uses.filter((u) => u.opaque || !u.filtered);
      const n: LoadNarrowing = {};
      const time = load.hasExtent ? narrowTime(load.own, needed) : undefined;
      if (time) n.time = time;
      const bands = narrowBands(load.bands, needed);
      if (bands) n.bands = bands;
      if (n.time || n.bands) out.set(load.key, n);
    }
    return out;
  }
}

export const pathKey = (path: readonly string[]): string => JSON.stringify(path);

function narrowTime(own: Interval | undefined, uses: CubeUse[]): Interval | undefined {
  if (uses.length === 0) return undefined;
  let s: number | null = Infinity;
  let e: number | null = -Infinity;
  for (const u of uses) {
    if (!u.time) return undefined;
    const [us, ue] = u.time;
    if (us !== null && ue !== null && ue <= us) continue; // needs no time step
    s = s === null || us === null ? null : Math.min(s, us);
    e = e === null || ue === null ? null : Math.max(e, ue);
  }
  if (s === Infinity) return undefined; // no use keeps any time step: leave the load (and its errors) as it is
  const start = maxStart(s, own?.[0] ?? null);
  const end = minEnd(e, own?.[1] ?? null);
  if (start !== null && end !== null && end <= start) return undefined;
  if ((own?.[0] ?? null) === start && (own?.[1] ?? null) === end) return undefined;
  return [start, end];
}

const maxStart = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));
const minEnd = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));

function narrowBands(all: readonly string[], uses: CubeUse[]): string[] | undefined {
  if (uses.length === 0) return undefined;
  const keep = new Set<string>();
  for (const u of uses) {
    if (!u.bands) return undefined;
    for (const b of u.bands) keep.add(b);
  }
  const bands = all.filter((b) => keep.has(b));
  return bands.length > 0 && bands.length < all.length ? bands : undefined;
}

/** Marks every cube use inside the given values (arrays and objects included) as needing all it holds. */
function markOpaque(values: readonly unknown[], seen = new Set<unknown>()): void {
  for (const v of values) {
    if (typeof v !== 'object' || v === null || seen.has(v)) continue;
    seen.add(v);
    if (v instanceof CubeUse) v.opaque = true;
    else if (Array.isArray(v)) markOpaque(v, seen);
    else if (Object.getPrototypeOf(v) === Object.prototype) markOpaque(Object.values(v), seen);
  }
}

/** A value the dry run could not compute (it came from a process without a plan hook). */
const unknown = (args: ProcessArgs, names: string[]) => names.some((n) => args.has(n) && args.get(n) === undefined);

/** load_collection: records the load when its arguments are known in the dry run. */
export function planLoadCollection(args: ProcessArgs, ctx: PlanContext<PushdownPlan>): CubeUse | undefined {
  if (ctx.path.length === 0 || unknown(args, ['id', 'spatial_extent', 'temporal_extent', 'bands'])) return undefined;
  const id = args.get('id');
  const entry = typeof id === 'string' ? ctx.plan.collection(id) : undefined;
  if (!entry) return undefined;
  const wanted = args.get('bands');
  const names = entry.bands.map((b) => b.name);
  if (Array.isArray(wanted) && !wanted.every((b) => names.includes(b))) return undefined; // the run reports it
  let own: Interval | undefined;
  try {
    own = temporalExtent(args, 'temporal_extent');
  } catch {
    return undefined;
  }
  const spatial = args.get('spatial_extent');
  const load: LoadRecord = {
    key: pathKey(ctx.path),
    bands: Array.isArray(wanted) ? (wanted as string[]) : names,
    own,
    hasExtent: spatial !== null && spatial !== undefined,
    uses: [],
  };
  ctx.plan.loads.push(load);
  return new CubeUse(load, null, null);
}

/** The cube use a filter receives, taken over by the filter; undefined when `data` is not one. */
function takeInput(args: ProcessArgs): CubeUse | undefined {
  const data = args.get('data');
  if (!(data instanceof CubeUse)) return undefined;
  data.filtered = true;
  return data;
}

const fail = (use: CubeUse): undefined => {
  use.opaque = true;
  return undefined;
};

export function planFilterTemporal(args: ProcessArgs): CubeUse | undefined {
  const use = takeInput(args);
  if (!use) return undefined;
  const dim = args.get('dimension');
  const extent = args.get('extent');
  if ((dim !== null && dim !== undefined && dim !== 't') || !Array.isArray(extent) || extent.length !== 2) return fail(use);
  let range: Interval;
  try {
    range = extent.map((v) => (v === null ? null : typeof v === 'string' ? instant(args, 'extent', v) : NaN)) as Interval;
  } catch {
    return fail(use);
  }
  if (range.some((v) => Number.isNaN(v))) return fail(use);
  // an empty interval would select no item, and the load would fail for want of data before this filter says why
  if (range[0] !== null && range[1] !== null && range[1] <= range[0]) throw temporalExtentEmpty('filter_temporal', extent as (string | null)[]);
  const time: Interval = use.time ? [maxStart(use.time[0], range[0]), minEnd(use.time[1], range[1])] : range;
  return new CubeUse(use.load, time, use.bands);
}

export function planFilterBands(args: ProcessArgs): CubeUse | undefined {
  const use = takeInput(args);
  if (!use) return undefined;
  const bands = args.get('bands');
  const wavelengths = args.get('wavelengths');
  const available = use.bands ?? new Set(use.load.bands);
  const ok = Array.isArray(bands) && bands.length > 0 && bands.every((b) => typeof b === 'string' && available.has(b));
  if (!ok || (Array.isArray(wavelengths) && wavelengths.length > 0) || (wavelengths !== null && !Array.isArray(wavelengths))) return fail(use);
  return new CubeUse(use.load, use.time, new Set(bands as string[]));
}

/**
 * reduce_dimension over bands with a reducer that reads bands only by label (`array_element(data, label: 'B04')`,
 * what the openEO Python client's `cube.band('B04')` sends) needs just those bands. Its output is not followed
 * further: downstream uses of the reduced cube count as using all its time steps.
 */
export function planReduceDimension(args: ProcessArgs): undefined {
  const use = takeInput(args);
  if (!use) return undefined;
  const reducer = args.get('reducer') as Partial<Callback> | undefined;
  const labels = args.get('dimension') === 'bands' && reducer?.kind === 'callback' && reducer.graph ? labelsRead(reducer.graph) : undefined;
  const available = use.bands ?? new Set(use.load.bands);
  if (!labels || labels.length === 0 || !labels.every((l) => available.has(l))) return fail(use);
  new CubeUse(use.load, use.time, new Set(labels)).opaque = true;
  return undefined;
}

/** The labels a reducer reads when it reads its `data` only through `array_element` by constant label. */
function labelsRead(graph: ParsedGraph): string[] | undefined {
  const labels: string[] = [];
  for (const node of graph.nodes.values()) {
    for (const [name, arg] of Object.entries(node.args)) {
      const reads = readsData(arg);
      if (reads === undefined) return undefined;
      if (!reads) continue;
      const label = node.args.label;
      const index = node.args.index;
      const byLabel = node.processId === 'array_element' && node.namespace === null && name === 'data' && arg.kind === 'from_parameter';
      if (!byLabel || label?.kind !== 'value' || typeof label.value !== 'string' || (index && !(index.kind === 'value' && index.value === null))) return undefined;
      labels.push(label.value);
    }
  }
  return labels;
}

/** Whether an argument reads the reducer's `data`; undefined when a nested callback makes that unclear. */
function readsData(arg: Argument): boolean | undefined {
  switch (arg.kind) {
    case 'from_parameter':
      return arg.name === 'data';
    case 'callback':
      return undefined;
    case 'array':
      return anyReads(arg.items);
    case 'object':
      return anyReads(Object.values(arg.entries));
    default:
      return false;
  }
}

function anyReads(args: readonly Argument[]): boolean | undefined {
  let any = false;
  for (const a of args) {
    const r = readsData(a);
    if (r === undefined) return undefined;
    any ||= r;
  }
  return any;
}

/** filter_bbox crops the grid only: whatever time and bands its output needs, its input needs. */
export function planFilterBbox(args: ProcessArgs): CubeUse | undefined {
  const use = takeInput(args);
  return use && new CubeUse(use.load, use.time, use.bands);
}

/**
 * The dry run for one evaluation. Never fails: a graph the dry run cannot follow is evaluated without pushdown,
 * and reports its own errors then.
 */
export async function planLoadNarrowing(program: Program, services: CubeServices, signal: AbortSignal, maxDepth?: number): Promise<Map<string, LoadNarrowing>> {
  try {
    const plan = new PushdownPlan((id) => services.collection(id));
    // the depth limit of the evaluation also bounds the dry run (a cycle of stored processes recurses forever)
    const { result } = await planGraph(program, { plan, signal, maxDepth, opaque: (values) => markOpaque(values) });
    markOpaque([result]); // the caller gets the result as it is

    return plan.narrowings();
  } catch (e) {
    if (signal.aborted) throw e;
    return new Map();
  }
}

/** The narrowing the dry run found for the load at this node path, if any. */
export function narrowingAt(services: CubeServices, path: readonly string[] | undefined): LoadNarrowing | undefined {
  return path && services.narrowing?.get(pathKey(path));
}
