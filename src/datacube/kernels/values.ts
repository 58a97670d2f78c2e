/**
 * The raster value every kernel works on: one band of one time step of one chunk, as numbers plus a validity mask.
 *
 * openEO distinguishes no-data (`null`) from NaN, so validity is carried separately from the values: a NaN in `data`
 * is a real NaN (`is_nan` is true for it), while `valid[i] === 0` is no-data. Booleans are stored as 0 and 1.
 * Values at invalid positions are unspecified (kernels compute on them freely and never read them back).
 */
import type { RasterArray, RasterDataType } from '../../raster/data-types.ts';
import { coverageIsFull, coverageSpans, fillSpans, type Coverage } from './coverage.ts';

/** n pixels; `valid[i] === 0` means nodata (openEO null). NaN in `data` is a real NaN value (is_nan), not null. */
export interface Plane {
  data: Float32Array | Float64Array;
  /** null = all valid. Entries are 0 (no-data) or 1 (valid). */
  valid: Uint8Array | null;
  /**
   * Where valid pixels may be (absent: anywhere). Outside it `valid` is 0 as well, so a consumer may ignore it;
   * one that honours it visits only the covered pixels. Only meaningful with a `valid` mask.
   */
  cover?: Coverage;
}

/**
 * Output buffers a node owns and reuses step after step. `written` remembers the spans its last result was
 * computed on (null: all pixels), so that the next partial result clears only those before writing its own.
 */
export interface PlaneBuffers extends WritablePlane {
  written: Int32Array | null;
}

export function allocBuffers(n: number, kind: 'float32' | 'float64' = 'float64'): PlaneBuffers {
  return { ...allocPlane(n, kind), written: null };
}

/**
 * Makes `buf.valid` 0 wherever the previous result may have left valid pixels outside `spans`, before a result
 * is computed on `spans` only (null: on every pixel, nothing to clear). Cost: the size of the previous result.
 */
export function prepareBuffers(buf: PlaneBuffers, spans: Int32Array | null): void {
  if (spans !== null) {
    if (buf.written === null) buf.valid.fill(0);
    else fillSpans(buf.valid, buf.written, 0);
  }
  buf.written = spans;
}

/** A plane with its own buffers, as the caller hands it to kernels to be written into. */
export interface WritablePlane {
  data: Float32Array | Float64Array;
  valid: Uint8Array;
}

export function allocPlane(n: number, kind: 'float32' | 'float64' = 'float64'): WritablePlane {
  return { data: kind === 'float32' ? new Float32Array(n) : new Float64Array(n), valid: new Uint8Array(n) };
}

/** Types whose every value a float32 holds exactly; wider integers need float64. */
const FITS_FLOAT32: ReadonlySet<RasterDataType> = new Set(['uint8', 'int8', 'uint16', 'int16', 'float32']);

export interface PlaneFromArrayOptions {
  /** The raw no-data value of the band; null/undefined = every pixel is valid; NaN = NaN pixels are no-data. */
  nodata?: number | null;
  /**
   * Buffers to fill instead of allocating (one time step after the other reuses them). Their data must be Float32Array
   * for 8/16-bit and float32 sources, Float64Array otherwise. Float32/Float64 sources are used without copy when absent.
   */
  into?: WritablePlane;
  /** Only these pixels ([start, end) pairs) are converted; `into` is required and keeps its other values. */
  spans?: Int32Array;
}

/**
 * Turns decoded samples into a Plane. Integer samples convert through `TypedArray.set` (native, exact); the mask is
 * one comparison loop over the converted floats. For float32 sources the nodata value is compared as float32
 * (`Math.fround`), the way GDAL compares it in the raster's own type.
 */
export function planeFromArray(src: RasterArray, opts: PlaneFromArrayOptions = {}): Plane {
  if (opts.spans) return planeFromSpans(src, opts.spans, opts.into, opts.nodata);
  const n = src.length;
  const wide = src instanceof Float64Array || src instanceof Int32Array || src instanceof Uint32Array;
  let data: Float32Array | Float64Array;
  if (opts.into) {
    data = opts.into.data;
    if (data.length < n) throw new RangeError(`planeFromArray: target holds ${data.length} values, source has ${n}.`);
    if (wide && data instanceof Float32Array) throw new TypeError('planeFromArray: 32-bit integer and float64 samples need a Float64Array target.');
    if (data !== src) data.set(src);
  } else if (src instanceof Float32Array || src instanceof Float64Array) data = src;
  else {
    data = wide ? new Float64Array(n) : new Float32Array(n);
    data.set(src);
  }
  const nodata = opts.nodata;
  if (nodata === null || nodata === undefined) return { data, valid: null };
  const valid = opts.into ? opts.into.valid : new Uint8Array(n);
  if (Number.isNaN(nodata)) notNaNMask(data, valid, n);
  else notEqualMask(data, data instanceof Float32Array ? Math.fround(nodata) : nodata, valid, n);
  return { data, valid };
}

function planeFromSpans(src: RasterArray, spans: Int32Array, into: WritablePlane | undefined, nodata: number | null | undefined): Plane {
  if (!into) throw new TypeError('planeFromArray: spans need an `into` plane.');
  const data = into.data;
  const wide = src instanceof Float64Array || src instanceof Int32Array || src instanceof Uint32Array;
  if (wide && data instanceof Float32Array) throw new TypeError('planeFromArray: 32-bit integer and float64 samples need a Float64Array target.');
  const last = spans.length > 0 ? spans[spans.length - 1] : 0;
  if (data.length < last || src.length < last) throw new RangeError('planeFromArray: spans reach beyond the arrays.');
  for (let s = 0; s < spans.length; s += 2) data.set(src.subarray(spans[s], spans[s + 1]), spans[s]);
  if (nodata === null || nodata === undefined) return { data, valid: null };
  const valid = into.valid;
  const nd = data instanceof Float32Array ? Math.fround(nodata) : nodata;
  for (let s = 0; s < spans.length; s += 2) {
    if (Number.isNaN(nodata)) notNaNMask(data, valid, spans[s + 1], spans[s]);
    else notEqualMask(data, nd, valid, spans[s + 1], spans[s]);
  }
  return { data, valid };
}

function notEqualMask(data: Float32Array | Float64Array, nodata: number, valid: Uint8Array, n: number, from = 0): void {
  for (let i = from; i < n; i++) valid[i] = +(data[i] !== nodata); // `+(cond)` is branch-free in V8, a ternary is not
}

function notNaNMask(data: Float32Array | Float64Array, valid: Uint8Array, n: number, from = 0): void {
  for (let i = from; i < n; i++) {
    const v = data[i];
    valid[i] = +(v === v);
  }
}

/** How many pixels are valid (a time step with none can be skipped or passed as `addNodata`). */
export function countValid(plane: Plane, n = plane.data.length): number {
  const valid = plane.valid;
  if (!valid) return n;
  let c = 0;
  for (let i = 0; i < n; i++) c += +(valid[i] !== 0);
  return c;
}

export interface WritePlaneOptions {
  /**
   * What no-data becomes in the output. null: NaN for float types, 0 for integer types. A valid value that equals
   * it becomes indistinguishable from no-data: pick one outside the value range.
   */
  nodata?: number | null;
  /**
   * Float → integer: 'trunc' (default) truncates toward zero like numpy `astype`; 'round' rounds half to even like
   * `numpy.rint`. Values beyond the type's range saturate at its bounds (numpy leaves this undefined; a declared
   * no-data value at a bound is not one of them: valid values stop next to it) and NaN
   * becomes the output no-data value. Float targets store the value as is (float32 rounds to nearest even).
   */
  rounding?: 'trunc' | 'round';
}

const INT_RANGE: Record<Exclude<RasterDataType, 'float32' | 'float64'>, [number, number]> = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  uint32: [0, 4294967295],
  int32: [-2147483648, 2147483647],
};

/**
 * The integers a valid value may become: the type's range, less a declared no-data value at either end. Clamped to
 * the full range, a valid 300 saved as uint8 with no-data 255 read back as no-data.
 */
function validIntRange(dtype: Exclude<RasterDataType, 'float32' | 'float64'>, nodata: number | null | undefined): [number, number] {
  const [lo, hi] = INT_RANGE[dtype];
  return [nodata === lo ? lo + 1 : lo, nodata === hi ? hi - 1 : hi];
}

/** Where a plane goes: the arguments of writePlane, for producers that can write their values in themselves. */
export interface PlaneTarget {
  dtype: RasterDataType;
  out: RasterArray;
  opts: WritePlaneOptions;
}

/**
 * How writePlane converts to a target, for a producer writing into it directly (a reducer finalizing its state).
 * A valid value v becomes `float ? v : v !== v ? nodata : v <= lo ? lo : v >= hi ? hi : Math.trunc(v)`, an
 * invalid one `nodata`. Undefined for rounding 'round' (those producers go through writePlane).
 */
export interface TruncFormat {
  float: boolean;
  nodata: number;
  lo: number;
  hi: number;
}

export function truncFormat(target: PlaneTarget): TruncFormat | undefined {
  const { dtype, opts } = target;
  const float = dtype === 'float32' || dtype === 'float64';
  if (!float && opts.rounding === 'round') return undefined;
  const [lo, hi] = float ? [-Infinity, Infinity] : validIntRange(dtype, opts.nodata);
  return { float, nodata: opts.nodata ?? (float ? NaN : 0), lo, hi };
}

/** Writes a plane into `out` (a typed array of `dtype`, at least as long as the plane). */
export function writePlane(plane: Plane, dtype: RasterDataType, out: RasterArray, opts: WritePlaneOptions = {}): void {
  const { data, valid } = plane;
  const n = data.length;
  if (out.length < n) throw new RangeError(`writePlane: output holds ${out.length} values, plane has ${n}.`);
  const float = dtype === 'float32' || dtype === 'float64';
  const nodata = opts.nodata ?? (float ? NaN : 0);
  // a sparse plane: no-data everywhere (native fill), then the covered pixels
  const sp = plane.cover && valid ? coverageSpans(plane.cover) : Int32Array.of(0, n);
  if (plane.cover && valid && !coverageIsFull(plane.cover)) out.fill(nodata, 0, n);
  if (float) {
    if (valid) for (let s = 0; s < sp.length; s += 2) writeFloat(data, valid, out as Float32Array | Float64Array, nodata, sp[s + 1], sp[s]);
    else (out as Float32Array | Float64Array).set(data);
    return;
  }
  const [lo, hi] = validIntRange(dtype, opts.nodata);
  for (let s = 0; s < sp.length; s += 2) {
    if (opts.rounding === 'round') writeIntRound(data, valid, out, nodata, lo, hi, sp[s + 1], sp[s]);
    else writeIntTrunc(data, valid, out, nodata, lo, hi, sp[s + 1], sp[s]);
  }
}

function writeFloat(data: Float32Array | Float64Array, valid: Uint8Array, out: Float32Array | Float64Array, nodata: number, n: number, from: number): void {
  for (let i = from; i < n; i++) out[i] = valid[i] !== 0 ? data[i] : nodata;
}

function writeIntTrunc(data: Float32Array | Float64Array, valid: Uint8Array | null, out: RasterArray, nodata: number, lo: number, hi: number, n: number, from: number): void {
  for (let i = from; i < n; i++) {
    const v = data[i];
    out[i] = valid !== null && valid[i] === 0 ? nodata : v !== v ? nodata : v <= lo ? lo : v >= hi ? hi : Math.trunc(v);
  }
}

function writeIntRound(data: Float32Array | Float64Array, valid: Uint8Array | null, out: RasterArray, nodata: number, lo: number, hi: number, n: number, from: number): void {
  for (let i = from; i < n; i++) {
    const v = data[i];
    if ((valid !== null && valid[i] === 0) || v !== v) out[i] = nodata;
    else if (v <= lo) out[i] = lo;
    else if (v >= hi) out[i] = hi;
    else {
      let r = Math.round(v); // half up; fix the exact halves that should go to the even neighbour
      if (r - v === 0.5 && r % 2 !== 0) r -= 1;
      out[i] = r;
    }
  }
}
