/**
 * Adapts the compiled kernels to what the chunk evaluator asks for. Callbacks arrive as JSON and are compiled once
 * per provider (one per worker) and callback, so the generated code stays optimized from chunk to chunk; a callback
 * the kernels cannot vectorize is interpreted per pixel instead (interpreted.ts), orders of magnitude slower but
 * correct. apply_dimension runs compiled when its callback is an `array_create` of expressions the kernels handle
 * (each element is then a reduction of the series, like a reducer over bands) or an elementwise expression over the
 * series such as `subtract(data, mean(data))` (one kernel per element), interpreted otherwise.
 *
 * Sparse planes: when an apply callback maps no-data to no-data (checked once by running it on no-data pixels), it
 * runs only on the input's covered pixels and its result keeps the input's coverage; so does `mask` with a null
 * replacement. Everything else computes every pixel.
 */
import { DEFAULT_PROCESS_LIMITS, type ProcessLimits } from '../process-graph/index.ts';
import type { KernelProvider } from './chunk-eval.ts';
import { arrayElements, graphFromJson, subgraph } from './callback-json.ts';
import { interpretApply, interpretApplyDimension, InterpretedTimeReducer, interpretReduce, interpretResolver } from './interpreted.ts';
import { createInterpreter } from './pixel-callback.ts';
import type { PlaneKernel } from './kernels/codegen.ts';
import { compileArrayCallback, compileCallback, type CompileOptions } from './kernels/compile.ts';
import { BufferedReducer } from './kernels/buffered.ts';
import { coverageSpans } from './kernels/coverage.ts';
import { fusedReduceStep, identityKernel } from './kernels/fused-reduce.ts';
import { mask } from './kernels/mask.ts';
import { recognizeReducer, type ReducerSpec } from './kernels/recognize.ts';
import { createStreamingReducer } from './kernels/reducers.ts';
import { prepareBuffers, type Plane } from './kernels/values.ts';
import type { CallbackSpec } from './types.ts';

/** The vectorized kernel, or undefined when the compiler cannot vectorize the callback. */
function compileSpec(cb: CallbackSpec, opts: CompileOptions = {}): PlaneKernel | undefined {
  return compileCallback(graphFromJson(cb.graph), cb.parameterNames, { context: cb.context, ...opts }) ?? undefined;
}

/** True when the kernel (of one plane parameter `x`) gives no-data for no-data, whatever value the pixel holds. */
export function keepsNodata(kernel: PlaneKernel): boolean {
  const r = kernel.run({ x: { data: Float64Array.of(0, NaN, 1), valid: new Uint8Array(3) } });
  return r.valid !== null && r.valid[0] === 0 && r.valid[1] === 0 && r.valid[2] === 0;
}

/** `limits` bound what the callbacks' processes may allocate per pixel (the configured ones reach worker threads in their settings). */
export function createKernelProvider(limits: ProcessLimits = DEFAULT_PROCESS_LIMITS): KernelProvider {
  // Keyed by the callback objects of a plan, which a worker keeps for the plan's lifetime.
  const applies = new WeakMap<CallbackSpec, { kernel?: PlaneKernel; sparse: boolean }>();
  const others = new WeakMap<CallbackSpec, { kernel?: PlaneKernel }>();
  const reducers = new WeakMap<CallbackSpec, ReducerSpec | null>();
  const empties = new Map<number, Plane>();
  const identity = identityKernel();
  const interpreter = createInterpreter(limits);
  const compile = (cb: CallbackSpec, opts: CompileOptions = {}) => compileSpec(cb, { limits, ...opts });
  const elementKernels = new WeakMap<CallbackSpec, PlaneKernel[] | null>();
  const compiledElements = (cb: CallbackSpec, labels: readonly (string | number)[]) => {
    let kernels = elementKernels.get(cb);
    if (kernels === undefined) {
      const graph = graphFromJson(cb.graph);
      const made = arrayElements(graph)?.map((id) => compile({ ...cb, graph: subgraph(cb.graph, id) }, { labels })) ??
        compileArrayCallback(graph, cb.parameterNames, { context: cb.context, labels, limits });
      elementKernels.set(cb, (kernels = made?.every((k) => k !== undefined) ? (made as PlaneKernel[]) : null));
    }
    return kernels;
  };
  const applyKernel = (cb: CallbackSpec) => {
    let a = applies.get(cb);
    if (!a) {
      const kernel = compile(cb);
      applies.set(cb, (a = { kernel, sparse: kernel !== undefined && keepsNodata(kernel) }));
    }
    return a;
  };
  const cached = (cb: CallbackSpec, make: () => PlaneKernel | undefined) => {
    let k = others.get(cb);
    if (!k) others.set(cb, (k = { kernel: make() }));
    return k.kernel;
  };
  return {
    apply(cb) {
      const { kernel, sparse } = applyKernel(cb);
      if (!kernel) {
        const call = interpreter.prepare(cb, 'apply');
        return async (x, out, signal) => {
          prepareBuffers(out, null);
          return interpretApply(await call, x, out, signal);
        };
      }
      return (x, out) => {
        if (sparse && x.cover && x.valid) {
          const spans = coverageSpans(x.cover);
          prepareBuffers(out, spans);
          return { ...kernel.run({ x }, out, spans), cover: x.cover };
        }
        prepareBuffers(out, null);
        return kernel.run({ x }, out);
      };
    },
    reduceBands(cb, labels) {
      const kernel = cached(cb, () => compile(cb, { labels }));
      if (!kernel) {
        const call = interpreter.prepare(cb, 'reduce_dimension');
        return async (data, out, signal) => {
          prepareBuffers(out, null);
          return interpretReduce(await call, data, labels, out, 'reduce_dimension', signal);
        };
      }
      return (data, out) => {
        prepareBuffers(out, null);
        return kernel.run({ data }, out);
      };
    },
    resolver(cb) {
      const kernel = cached(cb, () => compile(cb));
      if (!kernel) {
        const call = interpreter.prepare(cb, 'overlap resolver');
        return async (x, y, out, signal) => {
          prepareBuffers(out, null);
          return interpretResolver(await call, x, y, out, signal);
        };
      }
      return (x, y, out) => {
        prepareBuffers(out, null);
        return kernel.run({ x, y }, out);
      };
    },
    timeReducer(cb, n, _steps, labels, state) {
      let spec = reducers.get(cb);
      if (spec === undefined) reducers.set(cb, (spec = recognizeReducer(graphFromJson(cb.graph)) ?? null));
      // any other reducer keeps the steps and runs per pixel
      if (!spec) return new InterpretedTimeReducer(interpreter.prepare(cb, 'reduce_dimension'), n, labels);
      if (spec.streaming) return createStreamingReducer(spec.kind, n, { ignoreNodata: spec.ignoreNodata, countAll: spec.countAll, state });
      return new BufferedReducer(n, spec.kind, { ignoreNodata: spec.ignoreNodata });
    },
    mask(data, m, replacement, _n, out) {
      if (replacement === null && data.cover && data.valid) {
        // masked pixels become no-data: nothing outside the data's coverage can become valid
        const spans = coverageSpans(data.cover);
        prepareBuffers(out, spans);
        return { ...mask(data, m, null, out, { spans }), cover: data.cover };
      }
      prepareBuffers(out, null);
      return mask(data, m, replacement, out);
    },
    fusedStep(cb, fusion, nodata, sampleType) {
      if (!cb) return fusedReduceStep(identity, fusion, nodata, sampleType);
      // fused loops visit the covered pixels only, which is right only when no-data stays no-data
      const { kernel, sparse } = applyKernel(cb);
      return sparse && kernel ? fusedReduceStep(kernel, fusion, nodata, sampleType) : undefined;
    },
    applyDimension(cb, labels, unit) {
      const kernels = compiledElements(cb, labels);
      if (kernels) {
        return async (series, outs) => {
          const data = series.planes();
          return kernels.map((k, i) => {
            prepareBuffers(outs[i], null);
            return k.run({ data }, outs[i]);
          });
        };
      }
      const call = interpreter.prepare(cb, 'apply_dimension');
      return async (series, outs, signal) => {
        for (const out of outs) prepareBuffers(out, null);
        return interpretApplyDimension(await call, series, labels, outs, signal, unit);
      };
    },
    empty(n) {
      let e = empties.get(n);
      if (!e) {
        if (empties.size >= 8) empties.clear();
        empties.set(n, (e = { data: new Float32Array(n), valid: new Uint8Array(n) }));
      }
      return e;
    },
  };
}
