/**
 * The fused byte loop into narrow state (see narrow-state.ts) with WebAssembly SIMD, 16 pixels per step, for the
 * common table of a masking callback: every valid sample is its own value, and at most four sample values are
 * masked (the flood workflow masks 0 and 255). The state arrays then live in a WebAssembly.Memory owned by this
 * module (a region: one per reducer's narrow op, kept from chunk to chunk, never grown, so the typed-array views
 * stay valid; a larger chunk gets a new region); each step's samples are copied into a staging area of that memory
 * and the spans are passed through it in batches. The final values into a uint8 output (max / min as they are, the
 * mean by f32 division) are written to the staging area too and copied out in one piece. The module is emitted by a
 * tiny encoder below (no toolchain, nothing read from files: worker threads run from a bundle). Where SIMD is
 * missing, or the arrays are not in one of these memories, callers keep their JavaScript loop.
 */
import type { NarrowOp } from './narrow-state.ts';

/** Span pairs passed per call into the kernel. */
const SPAN_BATCH = 4096;
/** The most masked values the kernel compares against. */
export const SIMD_MAX_MASKED = 4;

/** The part of the WebAssembly JS API used here (the project's type libraries do not declare it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
}
const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

interface Region {
  /** Kept alive with the views of its buffer. */
  memory: { buffer: ArrayBuffer };
  kernel: Record<NarrowOp | Finalizer, (acc: number, cnt: number, x: number, spans: number, nspans: number, c0: number, c1: number, c2: number, c3: number) => void>;
  stage: number;
  stageLength: number;
  spans: Int32Array;
  bytes: Uint8Array;
}

/** Regions by their memory's buffer (the buffer of every view handed out; a memory that never grows keeps it). */
const regions = new WeakMap<ArrayBufferLike, Region>();

let compiled: object | null | undefined;

/** The compiled kernel module, or null without WebAssembly SIMD. */
function simdModule(): object | null {
  if (compiled === undefined) {
    const bytes = encodeModule();
    compiled = wasm && wasm.validate(bytes) ? new wasm.Module(bytes) : null;
  }
  return compiled;
}

/** True when this runtime can run the SIMD kernel. */
export const simdAvailable = (): boolean => simdModule() !== null;

const align16 = (x: number) => (x + 15) & -16;

/**
 * A memory of the SIMD kernel for the narrow state of `op` of up to `capacity` pixels, or undefined without SIMD.
 * It may be kept from chunk to chunk (see StateArrays.keep): a new memory per chunk size costs more in garbage
 * collection than the kernel saves.
 */
export interface SimdRegion {
  readonly op: NarrowOp;
  readonly capacity: number;
  /** The state arrays of `n` <= capacity pixels (zero in a new region, as new typed arrays). */
  arrays(n: number): { acc: Uint8Array | Uint16Array; counts: Uint8Array };
}

export function simdRegion(op: NarrowOp, capacity: number): SimdRegion | undefined {
  const module = simdModule();
  if (!module || !wasm) return undefined;
  const countsAt = align16(capacity * (op === 'sum' ? 2 : 1));
  const stage = countsAt + align16(capacity);
  const spansAt = stage + align16(capacity);
  const memory = new wasm.Memory({ initial: Math.ceil((spansAt + SPAN_BATCH * 8) / 65536) });
  const exports = new wasm.Instance(module, { m: { memory } }).exports as unknown as Region['kernel'];
  const buffer = memory.buffer;
  regions.set(buffer, {
    memory,
    kernel: { max: exports.max, min: exports.min, sum: exports.sum, mean8: exports.mean8, pick8: exports.pick8 },
    stage,
    stageLength: capacity,
    spans: new Int32Array(buffer, spansAt, SPAN_BATCH * 2),
    bytes: new Uint8Array(buffer),
  });
  return {
    op,
    capacity,
    arrays: (n) => {
      if (n > capacity) throw new RangeError(`A SIMD region of ${capacity} pixels cannot hold ${n}.`);
      return { acc: op === 'sum' ? new Uint16Array(buffer, 0, n) : new Uint8Array(buffer, 0, n), counts: new Uint8Array(buffer, countsAt, n) };
    },
  };
}

/**
 * The masked sample values of a byte table (TM: validity per sample, TV: value) padded to SIMD_MAX_MASKED by
 * repetition, when the table is a masking table the kernel can take; else undefined.
 */
export function maskingSet(TV: ArrayLike<number>, TM: ArrayLike<number>): Int32Array | undefined {
  const masked: number[] = [];
  for (let k = 0; k < 256; k++) {
    if (TM[k] === 0) masked.push(k);
    else if (TV[k] !== k) return undefined;
  }
  if (masked.length === 0 || masked.length > SIMD_MAX_MASKED) return undefined;
  return Int32Array.from({ length: SIMD_MAX_MASKED }, (_, j) => masked[Math.min(j, masked.length - 1)]);
}

/**
 * The region holding narrow state ACC (uint16 when `wide`, else uint8) and CNT (uint8), with the first and last pixel
 * of the spans SP, when the spans lie within the state, the staging area and `length`; 'empty' for no spans;
 * undefined when the kernel cannot take these arrays.
 */
function regionState(wide: boolean, ACC: ArrayLike<number>, CNT: ArrayLike<number> | null, SP: Int32Array, length: number) {
  if (!ArrayBuffer.isView(ACC) || !(CNT instanceof Uint8Array)) return undefined;
  const r = regions.get(ACC.buffer);
  if (!r || CNT.buffer !== ACC.buffer || !(wide ? ACC instanceof Uint16Array : ACC instanceof Uint8Array)) return undefined;
  if (SP.length === 0) return 'empty' as const;
  const acc = ACC as unknown as Uint8Array | Uint16Array;
  const lo = SP[0];
  const hi = SP[SP.length - 1];
  if (lo < 0 || hi > r.stageLength || hi > acc.length || hi > CNT.length || hi > length) return undefined;
  // views the kernel writes through must not reach the staging area
  if (acc.byteOffset + acc.byteLength > r.stage || CNT.byteOffset + CNT.byteLength > r.stage) return undefined;
  return { r, acc, counts: CNT, lo, hi };
}

/** Copies the spans SP into the region's span area SPAN_BATCH pairs at a time and calls `kernel(address, pairs)`. */
function inSpanBatches(r: Region, SP: Int32Array, kernel: (spans: number, pairs: number) => void): void {
  for (let s = 0; s < SP.length; s += SPAN_BATCH * 2) {
    const batch = SP.subarray(s, Math.min(SP.length, s + SPAN_BATCH * 2));
    r.spans.set(batch);
    kernel(r.spans.byteOffset, batch.length >> 1);
  }
}

/**
 * One step of the narrow store of `op` (ACC = op(ACC, sample or identity), CNT += validity) over the spans SP for
 * byte samples X, exactly as the JavaScript loop does it. False (nothing done) when ACC / CNT are not state arrays
 * of a simdRegion of `op` covering the spans.
 */
export function simdNarrowStep(op: NarrowOp, masked: Int32Array, SP: Int32Array, X: ArrayLike<number>, ACC: ArrayLike<number>, CNT: ArrayLike<number> | null): boolean {
  if (!(X instanceof Uint8Array || X instanceof Int8Array)) return false;
  const state = regionState(op === 'sum', ACC, CNT, SP, X.length);
  if (state === undefined) return false;
  if (state === 'empty') return true;
  const { r, acc, counts: CNT8, lo, hi } = state;
  // the covered range of samples, at the same pixel indices as in X (a byte copy, also for Int8Array)
  r.bytes.set(new Uint8Array(X.buffer, X.byteOffset + lo, hi - lo), r.stage + lo);
  const kernel = r.kernel[op];
  inSpanBatches(r, SP, (spans, n) => kernel(acc.byteOffset, CNT8.byteOffset, r.stage, spans, n, masked[0], masked[1], masked[2], masked[3]));
  return true;
}

/**
 * Final values of narrow state into a uint8 output for the pixels of the spans SP, exactly as the JavaScript
 * finalizeNarrow writes them: a pixel without a valid step gets `nodata` (as a Uint8Array store converts it), the
 * others acc (max / min: uint8 state) or trunc(acc / count) (mean: uint16 sums). The pixels between the spans, within
 * the first and last span, get `nodata` too (the output is copied out of the staging area in one piece; resultInto
 * has written no-data there already). False (nothing written) when ACC / CNT are not state arrays of a SIMD region
 * covering the spans, or `out` is not a Uint8Array.
 */
export function simdFinalize(mean: boolean, ACC: ArrayLike<number>, CNT: ArrayLike<number>, out: ArrayLike<number>, nodata: number, SP: Int32Array): boolean {
  if (!(out instanceof Uint8Array)) return false;
  const state = regionState(mean, ACC, CNT, SP, out.length);
  if (state === undefined) return false;
  if (state === 'empty') return true;
  const { r, acc, counts: CNT8, lo, hi } = state;
  const fill = Uint8Array.of(nodata)[0];
  if (SP.length > 2) r.bytes.fill(fill, r.stage + lo, r.stage + hi);
  const kernel = r.kernel[mean ? 'mean8' : 'pick8'];
  inSpanBatches(r, SP, (spans, n) => kernel(acc.byteOffset, CNT8.byteOffset, r.stage, spans, n, fill, 0, 0, 0));
  out.set(r.bytes.subarray(r.stage + lo, r.stage + hi), lo);
  return true;
}

// ---- the module's bytes ----

const uleb = (x: number): number[] => {
  const out: number[] = [];
  do {
    let b = x & 127;
    x >>>= 7;
    if (x !== 0) b |= 128;
    out.push(b);
  } while (x !== 0);
  return out;
};
const sleb = (x: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = x & 127;
    x >>= 7;
    const last = (x === 0 && (b & 64) === 0) || (x === -1 && (b & 64) !== 0);
    out.push(last ? b : b | 128);
    if (last) return out;
  }
};
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

const I32 = 0x7f;
const V128 = 0x7b;

/** Instruction encoders (opcodes from the WebAssembly core and SIMD binary formats). */
const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (d: number) => [0x0c, ...uleb(d)],
  brIf: (d: number) => [0x0d, ...uleb(d)],
  select: [0x1b],
  get: (l: number) => [0x20, ...uleb(l)],
  set: (l: number) => [0x21, ...uleb(l)],
  i32Load: (offset: number) => [0x28, 2, ...uleb(offset)],
  i32Load8u: [0x2d, 0, 0],
  i32Load16u: [0x2f, 1, 0],
  i32Store8: [0x3a, 0, 0],
  i32Store16: [0x3b, 1, 0],
  i32Const: (x: number) => [0x41, ...sleb(x)],
  i32Eqz: [0x45],
  i32Ne: [0x47],
  i32LtU: [0x49],
  i32GtS: [0x4a],
  i32GtU: [0x4b],
  i32GeS: [0x4e],
  i32Add: [0x6a],
  i32DivU: [0x6e],
  i32And: [0x71],
  i32Or: [0x72],
  i32Shl: [0x74],
} as const;
const simd = (code: number, ...imm: number[]) => [0xfd, ...uleb(code), ...imm];
const v = {
  load: (offset = 0) => simd(0x00, 0, ...uleb(offset)),
  store: (offset = 0) => simd(0x0b, 0, ...uleb(offset)),
  splat8: simd(0x0f),
  splat32: simd(0x11),
  eq8: simd(0x23),
  ne8: simd(0x24),
  not: simd(0x4d),
  and: simd(0x4e),
  or: simd(0x50),
  bitselect: simd(0x52),
  narrowU8: simd(0x66),
  sub8: simd(0x71),
  minU8: simd(0x77),
  maxU8: simd(0x79),
  narrowU16: simd(0x86),
  extendLowU8: simd(0x89),
  extendHighU8: simd(0x8a),
  add16: simd(0x8e),
  extendLowU16: simd(0xa9),
  extendHighU16: simd(0xaa),
  divF32: simd(0xe7),
  truncSatF32S: simd(0xf8),
  convertF32S: simd(0xfa),
};

// parameters and locals of each kernel function
const ACC = 0, CNT = 1, X = 2, SP = 3, NSP = 4, C = [5, 6, 7, 8];
const END = 9, I = 10, E = 11, K = 12, VALID = 13, A = 14, VAL = 15;
const VC = [16, 17, 18, 19], XV = 20, VM = 21, V2 = 22, V3 = 23, V4 = 24;
const V128_LOCALS = 9;

/** The finalizers into uint8 output: mean of uint16 sums, and uint8 max / min as they are. */
type Finalizer = 'mean8' | 'pick8';

/** The body of the kernel of `kind`: spans [s, e) of 16-pixel vector steps, then the scalar remainder. */
function kernelBody(kind: NarrowOp): number[] {
  const wide = kind === 'sum';
  const accAt = (): number[] => (wide ? [...op.get(ACC), ...op.get(I), ...op.i32Const(1), ...op.i32Shl, ...op.i32Add] : [...op.get(ACC), ...op.get(I), ...op.i32Add]);
  const at = (base: number) => [...op.get(base), ...op.get(I), ...op.i32Add];
  // vector step: VM = lanes whose sample is none of the masked values
  const vector: number[] = [
    ...at(X), ...v.load(), ...op.set(XV),
    ...op.get(XV), ...op.get(VC[0]), ...v.ne8, ...op.get(XV), ...op.get(VC[1]), ...v.ne8, ...v.and,
    ...op.get(XV), ...op.get(VC[2]), ...v.ne8, ...op.get(XV), ...op.get(VC[3]), ...v.ne8, ...v.and, ...v.and, ...op.set(VM),
  ];
  if (kind === 'max') vector.push(...accAt(), ...accAt(), ...v.load(), ...op.get(XV), ...op.get(VM), ...v.and, ...v.maxU8, ...v.store());
  else if (kind === 'min') vector.push(...accAt(), ...accAt(), ...v.load(), ...op.get(XV), ...op.get(VM), ...v.not, ...v.or, ...v.minU8, ...v.store());
  else {
    vector.push(...op.get(XV), ...op.get(VM), ...v.and, ...op.set(XV));
    vector.push(...accAt(), ...accAt(), ...v.load(), ...op.get(XV), ...v.extendLowU8, ...v.add16, ...v.store());
    vector.push(...accAt(), ...accAt(), ...v.load(16), ...op.get(XV), ...v.extendHighU8, ...v.add16, ...v.store(16));
  }
  // counts: a valid lane is all ones (-1), so subtracting the mask adds one
  vector.push(...at(CNT), ...at(CNT), ...v.load(), ...op.get(VM), ...v.sub8, ...v.store());

  // scalar pixel: VALID = sample is none of the masked values, VAL = sample or the identity of the op
  const scalar: number[] = [
    ...at(X), ...op.i32Load8u, ...op.set(K),
    ...op.get(K), ...op.get(C[0]), ...op.i32Ne, ...op.get(K), ...op.get(C[1]), ...op.i32Ne, ...op.i32And,
    ...op.get(K), ...op.get(C[2]), ...op.i32Ne, ...op.get(K), ...op.get(C[3]), ...op.i32Ne, ...op.i32And, ...op.i32And, ...op.set(VALID),
    ...op.get(K), ...op.i32Const(kind === 'min' ? 255 : 0), ...op.get(VALID), ...op.select, ...op.set(VAL),
  ];
  if (kind === 'sum') scalar.push(...accAt(), ...accAt(), ...op.i32Load16u, ...op.get(VAL), ...op.i32Add, ...op.i32Store16);
  else {
    const better = kind === 'max' ? op.i32GtU : op.i32LtU;
    scalar.push(...accAt(), ...accAt(), ...op.i32Load8u, ...op.set(A), ...op.get(VAL), ...op.get(A), ...op.get(VAL), ...op.get(A), ...better, ...op.select, ...op.i32Store8);
  }
  scalar.push(...at(CNT), ...at(CNT), ...op.i32Load8u, ...op.get(VALID), ...op.i32Add, ...op.i32Store8);

  return spanLoop(C.flatMap((c, j) => [...op.get(c), ...v.splat8, ...op.set(VC[j])]), vector, scalar);
}

/** A kernel body: `prelude`, then over spans [s, e) from SP: `vector` per 16 pixels at I, then `scalar` per pixel. */
function spanLoop(prelude: number[], vector: number[], scalar: number[]): number[] {
  const inc = (by: number) => [...op.get(I), ...op.i32Const(by), ...op.i32Add, ...op.set(I)];
  return [
    ...prelude,
    ...op.get(SP), ...op.get(NSP), ...op.i32Const(3), ...op.i32Shl, ...op.i32Add, ...op.set(END),
    ...op.block, ...op.loop, // over spans
    ...op.get(SP), ...op.get(END), ...op.i32GeS, ...op.brIf(1),
    ...op.get(SP), ...op.i32Load(0), ...op.set(I), ...op.get(SP), ...op.i32Load(4), ...op.set(E),
    ...op.get(SP), ...op.i32Const(8), ...op.i32Add, ...op.set(SP),
    ...op.block, ...op.loop, // 16 pixels at a time
    ...op.get(I), ...op.i32Const(16), ...op.i32Add, ...op.get(E), ...op.i32GtS, ...op.brIf(1),
    ...vector, ...inc(16), ...op.br(0),
    ...op.end, ...op.end,
    ...op.block, ...op.loop, // the rest one by one
    ...op.get(I), ...op.get(E), ...op.i32GeS, ...op.brIf(1),
    ...scalar, ...inc(1), ...op.br(0),
    ...op.end, ...op.end,
    ...op.br(0),
    ...op.end, ...op.end,
    ...op.end,
  ];
}

/**
 * The body of a finalizer into uint8 output at X (the staging area), C[0] the no-data byte. Mean: the uint16 sum a
 * over the count c, both exact in f32, divided in f32 and truncated, which is floor(a / c) for a <= 65535,
 * 1 <= c <= 255. The correctly rounded quotient is not below floor(a / c) (an f32 not above a / c); and for an
 * integer k > a / c, a / c <= k - 1/c <= k - 1/255 < k - 2^-8, where k - 2^-8 is an f32 (k <= 65535: f32 in
 * [2^15, 2^16) are 2^-8 apart, smaller ones closer), so the rounded quotient stays below k. The test checks all pairs.
 * The low byte is kept (what a Uint8Array store keeps), and lanes with count 0 (whatever x / 0 gives) take no-data.
 */
function finalizerBody(kind: Finalizer): number[] {
  const at = (base: number) => [...op.get(base), ...op.get(I), ...op.i32Add];
  const acc16At = [...op.get(ACC), ...op.get(I), ...op.i32Const(1), ...op.i32Shl, ...op.i32Add];
  // VC[0]: no-data in every byte, VC[1]: zero, VC[2]: 255 in every i32 lane
  const prelude = [
    ...op.get(C[0]), ...v.splat8, ...op.set(VC[0]),
    ...op.i32Const(0), ...v.splat8, ...op.set(VC[1]),
    ...op.i32Const(255), ...v.splat32, ...op.set(VC[2]),
  ];
  // XV: counts, VM: lanes without a valid step
  const vector = [...at(CNT), ...v.load(), ...op.set(XV), ...op.get(XV), ...op.get(VC[1]), ...v.eq8, ...op.set(VM)];
  const scalar = [...at(X), ...op.get(C[0])];
  if (kind === 'pick8') {
    vector.push(...at(X), ...op.get(VC[0]), ...at(ACC), ...v.load(), ...op.get(VM), ...v.bitselect, ...v.store());
    scalar.push(...at(ACC), ...op.i32Load8u);
  } else {
    // V2 / V3: the counts of pixels 0-7 / 8-15 widened to 16 bits; V4: the sums of 8 pixels
    vector.push(...op.get(XV), ...v.extendLowU8, ...op.set(V2), ...op.get(XV), ...v.extendHighU8, ...op.set(V3));
    // the quotients of 4 pixels (lanes of V4 and of `cnts`, low or high half) as i32 0..255; the signed conversions
    // (one instruction each on x86, the unsigned ones are not) see only values below 2^16, or inf / NaN where c = 0
    const quarter = (cnts: number, high: boolean): number[] => {
      const ext = high ? v.extendHighU16 : v.extendLowU16;
      return [...op.get(V4), ...ext, ...v.convertF32S, ...op.get(cnts), ...ext, ...v.convertF32S, ...v.divF32, ...v.truncSatF32S, ...op.get(VC[2]), ...v.and];
    };
    vector.push(...acc16At, ...v.load(), ...op.set(V4));
    vector.push(...at(X), ...op.get(VC[0]));
    vector.push(...quarter(V2, false), ...quarter(V2, true), ...v.narrowU16);
    vector.push(...acc16At, ...v.load(16), ...op.set(V4));
    vector.push(...quarter(V3, false), ...quarter(V3, true), ...v.narrowU16, ...v.narrowU8);
    vector.push(...op.get(VM), ...v.bitselect, ...v.store());
    // a count of 0 divides by 1 (i32.div_u traps on 0; select evaluates both operands), then takes no-data
    scalar.push(...acc16At, ...op.i32Load16u, ...at(CNT), ...op.i32Load8u, ...op.set(K), ...op.get(K), ...op.get(K), ...op.i32Eqz, ...op.i32Or, ...op.i32DivU);
  }
  scalar.push(...at(CNT), ...op.i32Load8u, ...op.i32Eqz, ...op.select, ...op.i32Store8);
  return spanLoop(prelude, vector, scalar);
}

/**
 * The module: imports memory m.memory, exports the steps max / min / sum (acc, cnt, x, spans, nspans, c0..c3) and
 * the finalizers mean8 / pick8 (acc, cnt, out, spans, nspans, nodata, unused x3).
 */
export function encodeModule(): Uint8Array {
  const kinds: (NarrowOp | Finalizer)[] = ['max', 'min', 'sum', 'mean8', 'pick8'];
  const type = [0x60, ...vec(Array.from({ length: 9 }, () => [I32])), ...vec([])];
  const locals = vec([[...uleb(7), I32], [...uleb(V128_LOCALS), V128]]);
  const code = kinds.map((k) => {
    const body = [...locals, ...(k === 'mean8' || k === 'pick8' ? finalizerBody(k) : kernelBody(k))];
    return [...uleb(body.length), ...body];
  });
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([type])),
    ...section(2, vec([[...name('m'), ...name('memory'), 0x02, 0x00, 0x01]])),
    ...section(3, vec(kinds.map(() => [0]))),
    ...section(7, vec(kinds.map((k, j) => [...name(k), 0x00, ...uleb(j)]))),
    ...section(10, vec(code)),
  ]);
}
