/**
 * One generated loop for "raw samples → per-pixel callback → streaming reducer": the step of a temporal reduction
 * without the intermediate planes (float conversion, validity mask, callback result), which otherwise cost three
 * passes over memory per step. The sink updates the reducer's own state exactly as its `add` would (same
 * operations, same order), so fused and unfused steps can be mixed on one reducer.
 */
import { buildKernel, type FusedLoop, type Operand, type PlaneKernel } from './codegen.ts';
import type { ReducerFusion } from './reducer-base.ts';
import type { NarrowOp } from './narrow-state.ts';

/**
 * The loop adding one step of raw samples (array type `sampleType`, no-data `nodata`) through `kernel`. Generated
 * once per kernel, reducer operation, no-data value and sample type (the kernel caches it).
 */
export function fusedReduceStep(kernel: PlaneKernel, fusion: ReducerFusion, nodata: number | null, sampleType: string): FusedLoop | undefined {
  // a float32 sample equals the no-data value as the raster's own type compares it (planeFromArray does the same)
  const nd = nodata !== null && sampleType === 'Float32Array' ? Math.fround(nodata) : nodata;
  const bytes = sampleType === 'Uint8Array' || sampleType === 'Int8Array' ? sampleType : undefined;
  const op = fusion.op;
  const narrow = op === 'max' || op === 'min' || op === 'sum' ? { op, store: (v: string, m: string) => narrowStore(op, v, m) } : undefined;
  return kernel.fuse({ key: `${op}|${nd}|${sampleType}`, nodata: nd, store: (r) => reducerStore(op, r), bytes, narrow });
}

/** reducerStore into narrow state without a branch: a masked sample brings the identity of `op` and adds 0. */
function narrowStore(op: NarrowOp, v: string, m: string): string {
  const value = op === 'sum' ? `ACC[i] + ${v}` : `Math.${op}(ACC[i], ${v})`;
  return `ACC[i] = ${value}; CNT[i] += ${m};\n`;
}

/** The callback `x => x`, for a reduction straight over loaded samples. */
export function identityKernel(): PlaneKernel {
  return buildKernel([{ op: 'input', slot: 0, type: 'number' }], { k: 'plane', ref: 0, type: 'number' }, [{ parameter: 'x', index: -1 }], 'fused', false);
}

/** Mirrors the ignore_nodata branches of Accumulator.add / Counter.add for one pixel. */
export function reducerStore(op: ReducerFusion['op'], r: Operand): string {
  if (r.m === '0') return '';
  const when = (code: string) => (r.m === '1' ? `${code}\n` : `if (${r.m} !== 0) { ${code} }\n`);
  switch (op) {
    case 'max':
      return when(`ACC[i] = Math.max(ACC[i], ${r.v}); CNT[i]++;`);
    case 'min':
      return when(`ACC[i] = Math.min(ACC[i], ${r.v}); CNT[i]++;`);
    case 'sum':
      return when(`ACC[i] += ${r.v}; CNT[i]++;`);
    case 'product':
      return when(`ACC[i] *= ${r.v}; CNT[i]++;`);
    case 'count':
      return `ACC[i] += ${r.m === '1' ? '1' : r.m} & (+(${r.v} - ${r.v} === 0));\n`;
  }
}
