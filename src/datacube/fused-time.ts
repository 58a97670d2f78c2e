/**
 * The fused form of a temporal reduction over (an apply of) a load: each step's raw samples go through one
 * generated loop into the reducer's state, and the next step's blocks are being read while the current one is
 * computed. Steps the fused loop cannot take (a callback that turns no-data into data) return `false` to the caller,
 * which then evaluates them through planes.
 */
import type { Grid } from '../raster/grid/types.ts';
import type { BufferArena } from './arena.ts';
import type { EvalDeps, RawPlane, TimeReducer } from './chunk-eval.ts';
import { coverageIsEmpty, coverageSpans, denseSpans } from './kernels/coverage.ts';
import type { CallbackSpec, CubeNode } from './types.ts';

export interface FusableChain {
  load: Extract<CubeNode, { op: 'load' }>;
  apply?: CallbackSpec;
  /** Map the reduced input's time / band index to the load's. */
  time(t: number): number;
  band(b: number): number;
}

/** At most one apply over band/time selections of a load, or undefined. */
export function fusableChain(node: CubeNode): FusableChain | undefined {
  let apply: CallbackSpec | undefined;
  if (node.op === 'apply') {
    apply = node.callback;
    node = node.input;
  }
  const selects: Extract<CubeNode, { op: 'select' }>[] = [];
  while (node.op === 'select') {
    selects.push(node);
    node = node.input;
  }
  if (node.op !== 'load') return undefined;
  // outermost select first: each maps its own indices to its input's
  const time = (t: number) => selects.reduce((i, sel) => (sel.times ? sel.times[i] : i), t);
  const band = (b: number) => selects.reduce((i, sel) => (sel.bands ? sel.bands[i] : i), b);
  return { load: node, apply, time, band };
}

export interface FusedRun {
  deps: EvalDeps;
  arena: BufferArena;
  /** Arena key prefix of this node and band. */
  key: string;
  chain: FusableChain;
  target: Grid;
  band: number;
  steps: number;
  reducer: TimeReducer;
  signal: AbortSignal;
}

/**
 * Adds steps [0, steps) to the reducer through fused loops. Returns the first step it could not fuse (== steps
 * when all went through), so the caller continues from there with planes.
 */
export async function reduceFused(run: FusedRun): Promise<number> {
  const { deps, chain, target, reducer, signal, steps } = run;
  const fusion = deps.loads.readRaw && deps.kernels.fusedStep ? reducer.fusion?.() : undefined;
  if (!fusion || steps === 0) return 0;
  const n = target.width * target.height;
  // two sets of read buffers: step t + 1 is read into the other while step t is computed
  const read = (t: number): Promise<RawPlane> => {
    const p = deps.loads.readRaw!(chain.load, chain.time(t), chain.band(run.band), target, signal, { arena: run.arena, key: `${run.key}|${t % 2}` });
    p.catch(() => {}); // awaited below; a failure while nobody waits yet is not unhandled
    return p;
  };
  let pending = read(0);
  try {
    for (let t = 0; t < steps; t++) {
      signal.throwIfAborted();
      const raw = await pending;
      const loop = deps.kernels.fusedStep!(chain.apply, fusion, raw.nodata, raw.data.constructor.name);
      if (!loop) return t;
      if (t + 1 < steps) {
        pending = read(t + 1);
        // let the next read reach its I/O before this thread is busy with the loop
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (raw.cover && coverageIsEmpty(raw.cover)) reducer.addNodata();
      else {
        const state = reducer.fusionFor?.(loop.range, steps) ?? fusion;
        loop(raw.cover ? coverageSpans(raw.cover) : denseSpans(n), raw.data, state.acc, state.counts);
        reducer.addFused!(raw.cover);
      }
    }
  } catch (e) {
    // the next step's read writes into this node's buffers: it stops (the signal is aborted) before the chunk fails
    await pending.catch(() => {});
    throw e;
  }
  return steps;
}
