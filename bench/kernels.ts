/**
 * Kernel throughput in MPix/s on one chunk (default 2048 x 2048) of GFM-like uint8 data (nodata 255 and 0 in runs of 64 px, ~45 % masked):
 * load (planeFromArray), the GFM masking callback and `neq(x, 255)` fused vs node by node vs the interpreter per
 * pixel, streaming reducers per time step, the fused raw → callback → reducer step against the same done plane
 * by plane, mask, a band index, buffered median, and the uint8 write.
 * Run: `npx tsx bench/kernels.ts`; bench/run.ts may call runKernelBench().
 */
import { pathToFileURL } from 'node:url';
import {
  BufferedReducer,
  compileCallback,
  createStreamingReducer,
  mask,
  planeFromArray,
  writePlane,
  allocPlane,
  type Plane,
  type StreamingKind,
} from '../src/datacube/kernels/index.ts';
import { fusedReduceStep } from '../src/datacube/kernels/fused-reduce.ts';
import { evaluateProgram } from '../src/process-graph/evaluate.ts';
import { parseProcessGraph } from '../src/process-graph/parse.ts';
import type { ProcessGraphDef } from '../src/process-graph/types.ts';
import { validateProcessGraph } from '../src/process-graph/validate.ts';
import { createProcessRegistry, scalarProcesses } from '../src/processes/index.ts';

export interface KernelBenchOptions {
  /** Chunk side in pixels. Default 2048. */
  size?: number;
  /** Passes per measurement; the best is reported (the machine is shared). Default 5. */
  passes?: number;
  log?: (line: string) => void;
}

/** MPix/s per kernel (pixels of one plane per second; reducers: per added time step). */
export type KernelFigures = Record<string, number>;

const X = { from_parameter: 'x' };
const GFM_MASK: ProcessGraphDef = {
  eq1: { process_id: 'eq', arguments: { x: X, y: 255 } },
  eq2: { process_id: 'eq', arguments: { x: X, y: 0 } },
  or: { process_id: 'or', arguments: { x: { from_node: 'eq1' }, y: { from_node: 'eq2' } } },
  if: { process_id: 'if', arguments: { value: { from_node: 'or' }, accept: null, reject: X }, result: true },
};
const NEQ: ProcessGraphDef = { n: { process_id: 'neq', arguments: { x: X, y: 255 }, result: true } };
const ND: ProcessGraphDef = {
  a: { process_id: 'array_element', arguments: { data: { from_parameter: 'data' }, label: 'nir' } },
  b: { process_id: 'array_element', arguments: { data: { from_parameter: 'data' }, label: 'red' } },
  n: { process_id: 'normalized_difference', arguments: { x: { from_node: 'a' }, y: { from_node: 'b' } }, result: true },
};

/** GFM-like: runs of 64 pixels that are no-data (255), 0 or values, as swaths and water bodies are spatially coherent. */
function gfmBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
  for (let i = 0; i < n; i += 64) {
    const u = next();
    const end = Math.min(n, i + 64);
    if (u < 0.35) out.fill(255, i, end);
    else if (u < 0.45) out.fill(0, i, end);
    else for (let j = i; j < end; j++) out[j] = 1 + Math.floor(next() * 100);
  }
  return out;
}

function best(passes: number, pixels: number, fn: () => void): number {
  let bestMs = Infinity;
  for (let p = 0; p < passes; p++) {
    const t0 = performance.now();
    fn();
    bestMs = Math.min(bestMs, performance.now() - t0);
  }
  return Math.round(pixels / 1e6 / (bestMs / 1000));
}

async function interpreterRate(graph: ProcessGraphDef, raw: Uint8Array, pixels: number): Promise<number> {
  const registry = createProcessRegistry(scalarProcesses());
  const { program } = await validateProcessGraph(graph, {
    processes: registry,
    schemas: registry.schemas,
    parameters: [{ name: 'x', description: 'x', schema: {} }],
  });
  const signal = new AbortController().signal;
  const t0 = performance.now();
  for (let i = 0; i < pixels; i++) await evaluateProgram(program!, { signal, arguments: { x: raw[i] === 255 ? null : raw[i] } });
  return Math.round((pixels / 1e6 / ((performance.now() - t0) / 1000)) * 1000) / 1000;
}

export async function runKernelBench(opts: KernelBenchOptions = {}): Promise<KernelFigures> {
  const side = opts.size ?? 2048;
  const n = side * side;
  const passes = opts.passes ?? 5;
  const log = opts.log ?? (() => {});
  const figures: KernelFigures = {};
  const note = (name: string, v: number) => {
    figures[name] = v;
    log(`${name.padEnd(34)} ${String(v).padStart(8)} MPix/s`);
  };
  const steps = Array.from({ length: 4 }, (_, s) => gfmBytes(n, s + 1));
  const into = allocPlane(n, 'float32');
  note('load uint8 (nodata 255)', best(passes, n, () => planeFromArray(steps[0], { nodata: 255, into })));
  const x = planeFromArray(steps[0], { nodata: 255 });
  const out = allocPlane(n);

  for (const [name, graph] of [['gfm mask', GFM_MASK], ['neq(x, 255)', NEQ]] as const) {
    for (const mode of ['fused', 'nodes'] as const) {
      const kernel = compileCallback(parseProcessGraph(graph, []), ['x'], { mode })!;
      note(`${name} (${mode})`, best(passes, n, () => kernel.run({ x }, out)));
    }
    note(`${name} (interpreter per pixel)`, await interpreterRate(graph, steps[0], 20_000));
  }

  const bands = [planeFromArray(steps[1], { nodata: 255 }), planeFromArray(steps[2], { nodata: 255 })];
  const nd = compileCallback(parseProcessGraph(ND, []), ['data'], { labels: ['nir', 'red'] })!;
  note('normalized_difference (bands)', best(passes, n, () => nd.run({ data: bands }, out)));

  const masked = steps.map((s) => planeFromArray(s, { nodata: 255 }));
  for (const kind of ['max', 'mean', 'sum', 'count', 'first'] as StreamingKind[]) {
    const r = createStreamingReducer(kind, n);
    note(`reduce ${kind} (per step)`, best(passes, n * masked.length, () => {
      r.reset();
      for (const p of masked) r.add(p);
      r.result();
    }));
  }

  // the fused step (raw uint8 → GFM mask → reducer state in one loop) against load + callback + add per step
  const gfm = compileCallback(parseProcessGraph(GFM_MASK, []), ['x'])!;
  const all = Int32Array.of(0, n);
  for (const kind of ['max', 'mean'] as StreamingKind[]) {
    const r = createStreamingReducer(kind, n);
    const fusion = r.fusion!()!;
    const loop = fusedReduceStep(gfm, fusion, 255, 'Uint8Array')!;
    note(`fused uint8 → gfm mask → ${kind} (per step)`, best(passes, n * steps.length, () => {
      r.reset();
      for (const raw of steps) {
        loop(all, raw, fusion.acc, fusion.counts);
        r.addFused!(undefined);
      }
      r.result();
    }));
    // the job's path: narrow state (8-bit values) finalized into a uint8 output; a kernel of its own, so that the
    // generated loop sees only narrow arrays as in a job
    const narrowKernel = compileCallback(parseProcessGraph(GFM_MASK, []), ['x'])!;
    const nr = createStreamingReducer(kind, n);
    const narrowLoop = fusedReduceStep(narrowKernel, nr.fusion!()!, 255, 'Uint8Array')!;
    const out8 = new Uint8Array(n);
    note(`fused, narrow state, into uint8: ${kind} (per step)`, best(passes, n * steps.length, () => {
      nr.reset();
      for (const raw of steps) {
        const st = nr.fusionFor!(narrowLoop.range, steps.length)!;
        narrowLoop(all, raw, st.acc, st.counts);
        nr.addFused!(undefined);
      }
      nr.resultInto!({ dtype: 'uint8', out: out8, opts: {} });
    }));
    note(`unfused: load, gfm mask, ${kind} (per step)`, best(passes, n * steps.length, () => {
      r.reset();
      for (const raw of steps) r.add(gfm.run({ x: planeFromArray(raw, { nodata: 255, into }) }, out));
      r.result();
    }));
  }

  const m: Plane = { data: new Float32Array(n).map((_, i) => (i % 3 === 0 ? 1 : 0)), valid: null };
  note('mask', best(passes, n, () => mask(x, m, null, out)));

  const u8 = new Uint8Array(n);
  note('write uint8 (trunc)', best(passes, n, () => writePlane(x, 'uint8', u8, { nodata: 0 })));

  const small = 512 * 512;
  const median = new BufferedReducer(small, 'median');
  for (let s = 0; s < 10; s++) median.add(planeFromArray(gfmBytes(small, 100 + s), { nodata: 255 }));
  const t0 = performance.now();
  await median.result();
  note('median over 10 steps (buffered)', Math.round((small * 10) / 1e6 / ((performance.now() - t0) / 1000)));
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runKernelBench({ log: (l) => console.log(l) }).catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
