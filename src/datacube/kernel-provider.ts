/**
 * Adapts the compiled kernels to what the chunk evaluator asks for. Callbacks arrive as JSON and are compiled once
 * per chunk source; a callback the kernels cannot vectorize is reported as unsupported rather than interpreted
 * per pixel, which would be orders of magnitude slower.
 */
import { OpenEOError } from '../errors.ts';
import type { KernelProvider } from './chunk-eval.ts';
import { graphFromJson } from './callback-json.ts';
import { compileCallback, type CompileOptions } from './kernels/compile.ts';
import { BufferedReducer } from './kernels/buffered.ts';
import { mask } from './kernels/mask.ts';
import { recognizeReducer } from './kernels/recognize.ts';
import { createStreamingReducer } from './kernels/reducers.ts';
import type { CallbackSpec } from './types.ts';

function compile(cb: CallbackSpec, what: string, opts: CompileOptions = {}) {
  let reason = '';
  const kernel = compileCallback(graphFromJson(cb.graph), cb.parameterNames, { context: cb.context, onUnsupported: (r) => (reason = r), ...opts });
  if (!kernel) throw new OpenEOError('FeatureUnsupported', `The ${what} callback cannot be computed on rasters: ${reason}.`);
  return kernel;
}

export function createKernelProvider(): KernelProvider {
  return {
    apply(cb) {
      const kernel = compile(cb, 'apply');
      return (x) => kernel.run({ x });
    },
    reduceBands(cb, labels) {
      const kernel = compile(cb, 'reduce_dimension (bands)', { labels });
      return (data) => kernel.run({ data });
    },
    resolver(cb) {
      const kernel = compile(cb, 'overlap resolver');
      return (x, y) => kernel.run({ x, y });
    },
    timeReducer(cb, n) {
      const spec = recognizeReducer(graphFromJson(cb.graph));
      if (!spec) {
        throw new OpenEOError('FeatureUnsupported', 'Reducing the temporal dimension supports the reducers max, min, sum, mean, product, count, first, last, any, all, median, sd and variance applied directly to the data.');
      }
      if (spec.streaming) return createStreamingReducer(spec.kind, n, { ignoreNodata: spec.ignoreNodata, countAll: spec.countAll });
      return new BufferedReducer(n, spec.kind, { ignoreNodata: spec.ignoreNodata });
    },
    mask: (data, m, replacement) => mask(data, m, replacement),
    empty(n) {
      return { data: new Float32Array(n), valid: new Uint8Array(n) };
    },
  };
}
