/**
 * Adapts the compiled kernels to what the chunk evaluator asks for. Callbacks arrive as JSON and are compiled once
 * per chunk source; a callback the kernels cannot vectorize is reported as unsupported rather than interpreted
 * per pixel, which would be orders of magnitude slower.
 */
import { OpenEOError } from '../errors.ts';
import { simpleCall } from '../process-graph/callback-shape.ts';
import type { KernelProvider, TimeReducer } from './chunk-eval.ts';
import { graphFromJson } from './callback-json.ts';
import { compileCallback, type CompileOptions } from './kernels/compile.ts';
import { createStreamingReducer, type StreamingKind } from './kernels/reducers.ts';
import type { Plane } from './kernels/values.ts';
import type { CallbackSpec } from './types.ts';

const STREAMING: StreamingKind[] = ['max', 'min', 'sum', 'mean', 'product', 'count', 'first', 'last', 'any', 'all'];

function compile(cb: CallbackSpec, what: string, opts: CompileOptions = {}) {
  let reason = '';
  const kernel = compileCallback(graphFromJson(cb.graph), cb.parameterNames, { context: cb.context, onUnsupported: (r) => (reason = r), ...opts });
  if (!kernel) throw new OpenEOError('FeatureUnsupported', `The ${what} callback cannot be computed on rasters: ${reason}.`);
  return kernel;
}

function streamingReducer(cb: CallbackSpec, n: number): TimeReducer | undefined {
  const call = simpleCall(graphFromJson(cb.graph));
  if (!call || !STREAMING.includes(call.processId as StreamingKind)) return undefined;
  const data = call.args.data;
  if (!data || !('parameter' in data) || data.parameter !== 'data') return undefined;
  const others = Object.entries(call.args).filter(([k]) => k !== 'data');
  let ignoreNodata = true;
  let countAll = false;
  for (const [k, v] of others) {
    if (!('value' in v)) return undefined;
    if (k === 'ignore_nodata' && typeof v.value === 'boolean') ignoreNodata = v.value;
    else if (call.processId === 'count' && k === 'condition' && (v.value === true || v.value === null)) countAll = v.value === true;
    else if (k !== 'context') return undefined;
  }
  return createStreamingReducer(call.processId as StreamingKind, n, { ignoreNodata, countAll });
}

/** openEO mask: where the mask is non-zero (true), the value becomes `replacement`; a no-data mask value masks too. */
function applyMask(data: Plane, mask: Plane, replacement: number | null, n: number): Plane {
  const out = new Float32Array(n);
  const valid = new Uint8Array(n);
  const d = data.data;
  const dv = data.valid;
  const m = mask.data;
  const mv = mask.valid;
  const r = replacement ?? 0;
  const rValid = replacement === null ? 0 : 1;
  for (let i = 0; i < n; i++) {
    const masked = (mv !== null && mv[i] === 0) || m[i] !== 0;
    if (masked) {
      out[i] = r;
      valid[i] = rValid;
    } else {
      out[i] = d[i];
      valid[i] = dv === null ? 1 : dv[i];
    }
  }
  return { data: out, valid };
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
      const r = streamingReducer(cb, n);
      if (!r) {
        throw new OpenEOError('FeatureUnsupported', 'Only the reducers max, min, sum, mean, product, count, first, last, any and all (applied directly to the data) can reduce the temporal dimension so far.');
      }
      return r;
    },
    mask: applyMask,
    empty(n) {
      return { data: new Float32Array(n), valid: new Uint8Array(n) };
    },
  };
}
