/**
 * The fused form of a temporal reduction over (an apply of) a load: each step's raw samples go through one
 * generated loop into the reducer's state, while the blocks of the next READ_AHEAD steps are being read. Steps the
 * fused loop cannot take (a callback that turns no-data into data) return `false` to the caller, which then
 * evaluates them through planes.
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

/**
 * Steps read ahead of the one computed: READ_AHEAD_START at first, doubled (up to READ_AHEAD_MAX) each time the loop
 * finds the next step's read still running. Reads of remote assets wait on the network: with one step ahead, a flood
 * job over COGs answering after 20 ms took 5.7x as long as over local files (19.7 instead of 3.5 s), as every step
 * waited for its read. Local reads keep up with a few steps ahead, and each step ahead holds one more raw plane of
 * the band (a byte per pixel for GFM bands), so only reads that keep the loop waiting get the deeper read-ahead.
 */
export const READ_AHEAD_START = 2;
export const READ_AHEAD_MAX = 16;

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
  // each row band of each chunk is a reduction of its own: they start where the plan's earlier ones got to (starting
  // every one at READ_AHEAD_START cost the remote job three waits per band, and it was slower than with a fixed 8)
  const learned = run.arena.keep('fused|read-ahead', () => true, () => ({ ahead: READ_AHEAD_START }));
  let ahead = Math.min(learned.ahead, steps);
  // each read has a set of buffers (a slot) of its own until its step has been added: no read writes into the
  // buffers of a step still being read or computed
  const freeSlots: number[] = [];
  let slots = 0;
  const pending = new Map<number, { raw: Promise<RawPlane>; slot: number; done: boolean }>();
  let issued = 0;
  const issueThrough = (last: number) => {
    for (; issued <= Math.min(last, steps - 1); issued++) {
      const slot = freeSlots.pop() ?? slots++;
      const raw = deps.loads.readRaw!(chain.load, chain.time(issued), chain.band(run.band), target, signal, { arena: run.arena, key: `${run.key}|${slot}` });
      const entry = { raw, slot, done: false };
      // awaited below; a failure while nobody waits yet is not unhandled
      raw.then(() => (entry.done = true), () => (entry.done = true));
      pending.set(issued, entry);
    }
  };
  // reads still running write into this node's buffers: they end before this returns or throws
  const settleReads = () => Promise.all([...pending.values()].map((p) => p.raw.catch(() => {})));
  issueThrough(ahead - 1);
  try {
    for (let t = 0; t < steps; t++) {
      signal.throwIfAborted();
      const entry = pending.get(t)!;
      if (t > 0 && !entry.done && ahead < READ_AHEAD_MAX) {
        // the loop would wait for a read started steps ago: read further ahead from now on
        ahead = Math.min(READ_AHEAD_MAX, ahead * 2);
        learned.ahead = Math.max(learned.ahead, ahead);
        issueThrough(t + ahead - 1);
      }
      const raw = await entry.raw;
      pending.delete(t);
      const loop = deps.kernels.fusedStep!(chain.apply, fusion, raw.nodata, raw.data.constructor.name);
      if (!loop) {
        await settleReads();
        return t;
      }
      if (issued < steps) {
        issueThrough(t + ahead);
        // let the new reads reach their I/O before this thread is busy with the loop
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (raw.cover && coverageIsEmpty(raw.cover)) reducer.addNodata();
      else {
        const state = reducer.fusionFor?.(loop.range, steps) ?? fusion;
        loop(raw.cover ? coverageSpans(raw.cover) : denseSpans(n), raw.data, state.acc, state.counts);
        reducer.addFused!(raw.cover);
      }
      freeSlots.push(entry.slot);
    }
  } catch (e) {
    // the reads end (or stop, where the failure aborted the signal) before the chunk fails
    await settleReads();
    throw e;
  }
  return steps;
}
