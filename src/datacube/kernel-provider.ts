/**
 * Adapts the compiled kernels to what the chunk evaluator asks for. Callbacks arrive as JSON and are compiled once
 * per provider (one per worker) and callback, so the generated code stays optimized from chunk to chunk; a callback
 * the kernels cannot vectorize is reported as unsupported rather than interpreted per pixel, which would be orders
 * of magnitude slower.
 *
 * Sparse planes: when an apply callback maps no-data to no-data (checked once by running it on no-data pixels), it
 * runs only on the input's covered pixels and its result keeps the input's coverage; so does `mask` with a null
 * replacement. Everything else computes every pixel.
 */
import { OpenEOError } from '../errors.ts';
import type { KernelProvider } from './chunk-eval.ts';
import { graphFromJson } from './callback-json.ts';
import type { PlaneKernel } from './kernels/codegen.ts';
import { compileCallback, type CompileOptions } from './kernels/compile.ts';
import { BufferedReducer } from './kernels/buffered.ts';
import { coverageSpans } from './kernels/coverage.ts';
import { fusedReduceStep, identityKernel } from './kernels/fused-reduce.ts';
import { mask } from './kernels/mask.ts';
import { recognizeReducer, type ReducerSpec } from './kernels/recognize.ts';
import { createStreamingReducer } from './kernels/reducers.ts';
import { prepareBuffers, type Plane } from './kernels/values.ts';
import type { CallbackSpec } from './types.ts';

function compile(cb: CallbackSpec, what: string, opts: CompileOptions = {}) {
  let reason = '';
  const kernel = compileCallback(graphFromJson(cb.graph), cb.parameterNames, { context: cb.context, onUnsupported: (r) => (reason = r), ...opts });
  if (!kernel) throw new OpenEOError('FeatureUnsupported', `The ${what} callback cannot be computed on rasters: ${reason}.`);
  return kernel;
}

/** True when the kernel (of one plane parameter `x`) gives no-data for no-data, whatever value the pixel holds. */
export function keepsNodata(kernel: PlaneKernel): boolean {
  const r = kernel.run({ x: { data: Float64Array.of(0, NaN, 1), valid: new Uint8Array(3) } });
  return r.valid !== null && r.valid[0] === 0 && r.valid[1] === 0 && r.valid[2] === 0;
}

export function createKernelProvider(): KernelProvider {
  // Keyed by the callback objects of a plan, which a worker keeps for the plan's lifetime.
  const applies = new WeakMap<CallbackSpec, { kernel: PlaneKernel; sparse: boolean }>();
  const others = new WeakMap<CallbackSpec, PlaneKernel>();
  const reducers = new WeakMap<CallbackSpec, ReducerSpec>();
  const empties = new Map<number, Plane>();
  const identity = identityKernel();
  const applyKernel = (cb: CallbackSpec) => {
    let a = applies.get(cb);
    if (!a) {
      const kernel = compile(cb, 'apply');
      applies.set(cb, (a = { kernel, sparse: keepsNodata(kernel) }));
    }
    return a;
  };
  const cached = (cb: CallbackSpec, make: () => PlaneKernel) => {
    let k = others.get(cb);
    if (!k) others.set(cb, (k = make()));
    return k;
  };
  return {
    apply(cb) {
      const { kernel, sparse } = applyKernel(cb);
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
      const kernel = cached(cb, () => compile(cb, 'reduce_dimension (bands)', { labels }));
      return (data, out) => {
        prepareBuffers(out, null);
        return kernel.run({ data }, out);
      };
    },
    resolver(cb) {
      const kernel = cached(cb, () => compile(cb, 'overlap resolver'));
      return (x, y, out) => {
        prepareBuffers(out, null);
        return kernel.run({ x, y }, out);
      };
    },
    timeReducer(cb, n, _steps, state) {
      let spec = reducers.get(cb);
      if (!spec) {
        spec = recognizeReducer(graphFromJson(cb.graph));
        if (!spec) {
          throw new OpenEOError('FeatureUnsupported', 'Reducing the temporal dimension supports the reducers max, min, sum, mean, product, count, first, last, any, all, median, sd and variance applied directly to the data.');
        }
        reducers.set(cb, spec);
      }
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
      return sparse ? fusedReduceStep(kernel, fusion, nodata, sampleType) : undefined;
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
