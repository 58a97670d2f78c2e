/**
 * Turns the IR into a JavaScript function with one loop over the pixels ('fused': every node a pair of local
 * variables, no intermediate arrays) or one loop per node over whole-plane buffers ('nodes', kept to measure the
 * difference). Code is generated per pattern of inputs (which inputs have a validity mask, Float32 or Float64
 * data) and cached on the kernel, so each generated function sees monomorphic arrays. Only numbers formatted by
 * `literal` and fixed template text enter the source.
 */
import { roundHalfEven } from '../../processes/math-unary.ts';
import type { CValue } from './compile-values.ts';
import type { IrNode, ValueType } from './ir.ts';
import { TEMPLATES, type Operand } from './templates.ts';

export type { Operand } from './templates.ts';
import { fillSpans } from './coverage.ts';
import type { Plane, WritablePlane } from './values.ts';
import type { ReducerFusion, ValueRange } from './reducer-base.ts';
import { narrowStart, type NarrowOp } from './narrow-state.ts';
import { maskingSet, simdNarrowStep } from './simd-narrow.ts';

/** Planes per callback parameter: `x`, `y` as one Plane, `data` (bands) as an array of Planes. */
export type KernelInputs = Readonly<Record<string, Plane | readonly Plane[]>>;

export interface PlaneKernel {
  /** Type of the result values (booleans are 0/1). */
  readonly resultType: ValueType;
  /**
   * The planes the result depends on: parameter and band index (-1 for x/y). Only these must be given to `run`,
   * so e.g. a reducer over 13 bands that reads two of them needs only those two loaded.
   */
  readonly inputs: readonly { parameter: string; index: number }[];
  /** The generated source for one input pattern (for tests and curiosity). */
  source(inputs: KernelInputs): string;
  /**
   * Computes the callback for every pixel into `out`, or else into new buffers (with `reuseOutput` at compile time:
   * into buffers owned by the kernel, overwritten by the next `run`). The result's `valid` is null when no pixel
   * can be no-data. Inputs are only read. With `spans` ([start, end) pixel index pairs), only those pixels are
   * computed and written; the others of `out` are left as they are.
   */
  run(inputs: KernelInputs, out?: WritablePlane, spans?: Int32Array): Plane;
  /**
   * A loop that computes the callback of one plane parameter from raw samples (`nodata` marks no-data) and hands
   * each pixel's result to `sink` code instead of storing it (see fused-reduce.ts). `key` names the sink and the
   * sample type for the cache of generated functions. Undefined for 'nodes' mode or several plane inputs.
   */
  fuse(sink: FusionSink): FusedLoop | undefined;
}

/** What a fused loop does with each pixel's result (an expression pair over `i`), and the raw input's no-data. */
export interface FusionSink {
  key: string;
  nodata: number | null;
  store(result: Operand): string;
  /**
   * The samples are bytes of this array type: the callback is then tabulated once for the 256 possible samples and
   * the loop looks results up, skipping runs of 8 equal samples whose result is no-data with two comparisons.
   */
  bytes?: 'Uint8Array' | 'Int8Array';
  /**
   * With `bytes`: the store into narrow state of `op` (integer arrays, see narrow-state.ts) without a branch per
   * pixel. A masked sample reads the op's start value (its identity: ACC stays as it is) and a validity of 0, so
   * `store(v, m)` may apply both unconditionally: random mixes of valid and masked samples cost no mispredicted
   * branches.
   */
  narrow?: { op: NarrowOp; store(v: string, m: string): string };
}

/**
 * Runs a fused loop over the spans: X raw samples, ACC / CNT the sink's state arrays. `range` bounds the values the
 * loop hands to the sink, when known (8-bit samples: the tabulated results).
 */
export type FusedLoop = ((SP: Int32Array, X: ArrayLike<number>, ACC: ReducerFusion['acc'], CNT: ReducerFusion['counts']) => void) & { range?: ValueRange };

type Generated = (SP: Int32Array, I: ArrayLike<number>[], IV: (Uint8Array | null)[], OUT: Float32Array | Float64Array, OUTV: Uint8Array, B: Float64Array[], BM: Uint8Array[], H: object) => void;

const HELPERS = { roundHalfEven };

/** Exact source text of a number (shortest round-trip form). */
export function literal(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '(-Infinity)';
  if (Object.is(x, -0)) return '(-0)';
  return x < 0 ? `(${String(x)})` : String(x);
}

interface Slot {
  parameter: string;
  /** Index in the band array, or -1 for a single plane. */
  index: number;
}

export function buildKernel(nodes: readonly IrNode[], result: CValue, slots: readonly Slot[], mode: 'fused' | 'nodes', reuseOutput: boolean): PlaneKernel {
  if (result.k === 'list') throw new Error('unreachable: list results are rejected by the rules');
  const resultType: ValueType = result.k === 'plane' ? result.type : typeof result.value === 'boolean' ? 'boolean' : 'number';
  const constant = result.k === 'const' ? result.value : undefined;
  const live = result.k === 'plane' ? liveNodes(nodes, result.ref) : [];
  const used: number[] = [];
  for (const k of live) {
    const node = nodes[k];
    if (node.op === 'input') used.push(node.slot);
  }
  const cache = new Map<string, { fn: Generated; maskLiteral: string; source: string }>();
  const planes: Plane[] = new Array(slots.length);
  const I: ArrayLike<number>[] = new Array(slots.length);
  const IV: (Uint8Array | null)[] = new Array(slots.length);
  let own: WritablePlane | undefined;
  const fusedCache = new Map<string, FusedLoop>();
  let buffers: { n: number; B: Float64Array[]; BM: Uint8Array[] } | undefined;

  const gather = (inputs: KernelInputs): number => {
    let n = -1;
    for (const s of used) {
      const { parameter, index } = slots[s];
      const given = inputs[parameter];
      const plane = index < 0 ? (given as Plane | undefined) : (given as readonly Plane[] | undefined)?.[index];
      if (!plane || !plane.data) throw new TypeError(`Kernel input '${parameter}'${index >= 0 ? `[${index}]` : ''} is missing.`);
      if (n >= 0 && plane.data.length !== n) throw new RangeError('Kernel inputs differ in length.');
      n = plane.data.length;
      planes[s] = plane;
    }
    return n;
  };
  const patternOf = () => planes.map((p) => (p === undefined ? '-' : (p.data instanceof Float32Array ? 'f' : 'd') + (p.valid ? 'm' : ''))).join(',');
  const generated = (pattern: string) => {
    let g = cache.get(pattern);
    if (!g) {
      const masked = pattern.split(',').map((p) => p.endsWith('m'));
      const { source, maskLiteral } = generate(nodes, live, result.k === 'plane' ? result.ref : -1, masked, mode);
      g = { fn: new Function('SP', 'I', 'IV', 'OUT', 'OUTV', 'B', 'BM', 'H', source) as Generated, maskLiteral, source };
      if (cache.size >= 64) cache.clear(); // many bands with changing masks: keep the cache bounded
      cache.set(pattern, g);
    }
    return g;
  };

  return {
    resultType,
    inputs: used.map((s) => ({ ...slots[s] })),
    source: (inputs) => (gather(inputs), generated(patternOf()).source),
    fuse(sink) {
      if (mode !== 'fused' || used.length > 1 || (used.length === 1 && slots[used[0]].index >= 0)) return undefined;
      let f = fusedCache.get(sink.key);
      if (!f) {
        const direct = (sink: FusionSink): FusedLoop => {
          const masked = slots.map(() => false);
          const c = result.k === 'const' ? { v: literal(constant === null ? 0 : Number(constant)), m: constant === null ? '0' : '1' } : undefined;
          const { source } = generate(nodes, live, result.k === 'plane' ? result.ref : -1, masked, mode, { sink, constant: c });
          const fn = new Function('SP', 'X', 'ACC', 'CNT', 'H', source) as (SP: Int32Array, X: ArrayLike<number>, ACC: ReducerFusion['acc'], CNT: ReducerFusion['counts'], H: object) => void;
          return (SP, X, ACC, CNT) => fn(SP, X, ACC, CNT, HELPERS);
        };
        // for 8-bit samples, a sink storing each pixel's result and validity tabulates the callback
        const tabulate = (r: Operand) => `ACC[i] = ${r.m === '0' ? '0' : r.v}; CNT[i] = ${r.m};\n`;
        f = sink.bytes ? byteLookupLoop(direct({ key: '', nodata: sink.nodata, store: tabulate }), sink as FusionSink & { bytes: 'Uint8Array' | 'Int8Array' }) : direct(sink);
        fusedCache.set(sink.key, f);
      }
      return f;
    },
    run(inputs, out, spans) {
      let n = gather(inputs);
      if (n < 0) n = out?.data.length ?? firstLength(inputs);
      if (spans && spans.length > 0 && spans[spans.length - 1] > n) throw new RangeError('Kernel spans reach beyond the planes.');
      const sp = spans ?? Int32Array.of(0, n);
      const fresh = () => ({ data: new Float64Array(n), valid: new Uint8Array(n) });
      const target = out ?? (!reuseOutput ? fresh() : own && own.data.length === n ? own : (own = fresh()));
      if (target.data.length < n || target.valid.length < n) throw new RangeError('Kernel output is shorter than its inputs.');
      if (result.k === 'const') {
        const v = constant === null ? 0 : Number(constant);
        fillSpans(target.data, sp, v);
        if (constant !== null && !spans) return { data: target.data, valid: null };
        fillSpans(target.valid, sp, constant === null ? 0 : 1);
        return { data: target.data, valid: target.valid };
      }
      const g = generated(patternOf());
      for (const s of used) {
        I[s] = planes[s].data;
        IV[s] = planes[s].valid;
      }
      if (mode === 'nodes' && (!buffers || buffers.n !== n)) {
        const B: Float64Array[] = [];
        const BM: Uint8Array[] = [];
        for (const k of live) if ('args' in nodes[k]) (B[k] = new Float64Array(n)), (BM[k] = new Uint8Array(n));
        buffers = { n, B, BM };
      }
      g.fn(sp, I, IV, target.data, target.valid, buffers?.B ?? [], buffers?.BM ?? [], HELPERS);
      // a partial result keeps a mask, so that the pixels outside the spans keep their meaning
      if (g.maskLiteral === '1' && !spans) return { data: target.data, valid: null };
      if (g.maskLiteral !== '') fillSpans(target.valid, sp, g.maskLiteral === '1' ? 1 : 0);
      return { data: target.data, valid: target.valid };
    },
  };
}

function firstLength(inputs: KernelInputs): number {
  for (const v of Object.values(inputs)) {
    const p = Array.isArray(v) ? v[0] : v;
    if (p && (p as Plane).data) return (p as Plane).data.length;
  }
  throw new TypeError('A kernel without plane inputs needs an `out` plane to know its size.');
}

function liveNodes(nodes: readonly IrNode[], result: number): number[] {
  const live = new Set<number>([result]);
  for (let k = result; k >= 0; k--) {
    const node = nodes[k];
    if (live.has(k) && 'args' in node) for (const a of node.args) live.add(a);
  }
  return [...live].sort((a, b) => a - b);
}

/** Source of the kernel body for one pattern of masked inputs; also the result mask when it is a literal. */
function generate(
  nodes: readonly IrNode[], live: readonly number[], result: number, masked: readonly boolean[], mode: 'fused' | 'nodes',
  fusion?: { sink: FusionSink; constant?: { v: string; m: string } },
) {
  const head: string[] = [];
  const operands = new Map<number, Operand>();
  const inputLoad = new Map<number, string>(); // per input node: statements loading it for pixel i
  for (const k of live) {
    const node = nodes[k];
    if (node.op === 'input') {
      head.push(fusion ? `const X${node.slot} = X;` : `const X${node.slot} = I[${node.slot}];`);
      const load = node.type === 'boolean' ? `+(X${node.slot}[i] !== 0)` : `X${node.slot}[i]`;
      let stmt = `const v${k} = ${load};`;
      let m = '1';
      const nd = fusion?.sink.nodata;
      if (fusion && nd !== null && nd !== undefined) {
        // validity from the raw sample, as planeFromArray derives it (NaN: any NaN is no-data)
        const x = node.type === 'boolean' ? `X${node.slot}[i]` : `v${k}`;
        stmt += Number.isNaN(nd) ? ` const m${k} = +(${x} === ${x});` : ` const m${k} = +(${x} !== ${literal(nd)});`;
        m = `m${k}`;
      } else if (masked[node.slot]) {
        head.push(`const XV${node.slot} = IV[${node.slot}];`);
        stmt += ` const m${k} = +(XV${node.slot}[i] !== 0);`;
        m = `m${k}`;
      }
      inputLoad.set(k, stmt);
      operands.set(k, { v: `v${k}`, m, type: node.type });
    } else if (node.op === 'const') operands.set(k, { v: literal(node.value), m: '1', type: node.type });
    else if (node.op === 'null') operands.set(k, { v: '0', m: '0', type: node.type });
  }
  const computed = live.filter((k) => 'args' in nodes[k]);
  const emit = (k: number, args: readonly Operand[]) => {
    const node = nodes[k];
    if (!('args' in node)) throw new Error('unreachable');
    const e = TEMPLATES[node.op](args, node.params.map(literal), `t${k}_`);
    // Literals and plain variables are used as they are (so that masks shared by several nodes fold textually).
    // ('nodes' stores every value under its own name, so only literal masks pass through there.)
    const fused = mode === 'fused';
    const v = fused && /^v\d+$|^[01]$/.test(e.v) ? e.v : `v${k}`;
    const m = (fused && /^m\d+$/.test(e.m)) || /^[01]$/.test(e.m) ? e.m : `m${k}`;
    const code = `${e.code ?? ''}${v === e.v ? '' : `const ${v} = ${e.v}; `}${m === e.m ? '' : `const ${m} = ${e.m};`}\n`;
    return { code, operand: { v, m, type: node.type } satisfies Operand };
  };
  const resultOperand = () => operands.get(result)!;
  let body: string;
  if (mode === 'fused') {
    let inner = [...inputLoad.values()].join('\n') + '\n';
    for (const k of computed) {
      const node = nodes[k] as Extract<IrNode, { args: readonly number[] }>;
      const { code, operand } = emit(k, node.args.map((a) => operands.get(a)!));
      inner += code;
      operands.set(k, operand);
    }
    const r = fusion?.constant ? { ...fusion.constant, type: 'number' as const } : resultOperand();
    inner += fusion ? fusion.sink.store(r) : `OUT[i] = ${r.v};${r.m === '1' || r.m === '0' ? '' : ` OUTV[i] = ${r.m};`}\n`;
    body = spanLoop(inner);
  } else {
    body = '';
    for (const k of computed) if (k !== result) head.push(`const B${k} = B[${k}], BM${k} = BM[${k}];`);
    if (computed.length === 0) {
      const r = resultOperand();
      body = spanLoop(`${[...inputLoad.values()].join('\n')}\nOUT[i] = ${r.v};${r.m === '1' || r.m === '0' ? '' : ` OUTV[i] = ${r.m};`}\n`);
    }
    for (const k of computed) {
      const node = nodes[k] as Extract<IrNode, { args: readonly number[] }>;
      let loads = '';
      const args = node.args.map((a) => {
        if (inputLoad.has(a)) loads += `${inputLoad.get(a)}\n`;
        else if ('args' in nodes[a]) {
          const o = operands.get(a)!;
          loads += `const v${a} = B${a}[i];${o.m === '1' || o.m === '0' ? '' : ` const m${a} = BM${a}[i];`}\n`;
        }
        return operands.get(a)!;
      });
      const { code, operand } = emit(k, args);
      operands.set(k, operand);
      const store = k === result ? `OUT[i] = v${k};${operand.m === '1' || operand.m === '0' ? '' : ` OUTV[i] = ${operand.m};`}` : `B${k}[i] = v${k};${operand.m === '1' || operand.m === '0' ? '' : ` BM${k}[i] = ${operand.m};`}`;
      body += spanLoop(`${dedupeLoads(loads)}${code}${store}\n`);
    }
  }
  const r = fusion?.constant ?? resultOperand();
  return { source: `'use strict';\n${head.join('\n')}\n${body}`, maskLiteral: r.m === '1' || r.m === '0' ? r.m : '' };
}

/**
 * The fused loop of 8-bit samples as a table lookup: `tabulate` (the loop generated for the callback, storing
 * instead of reducing) computes the result and validity of each of the 256 samples once, exactly as per pixel, and the sink's code then
 * reads them from the tables. Most samples of sparse rasters are no-data or map to it (e.g. masked zeros) and come
 * in runs, so aligned pairs of words of 8 equal such samples are passed over whole.
 */
function byteLookupLoop(tabulate: FusedLoop, sink: FusionSink & { bytes: 'Uint8Array' | 'Int8Array' }): FusedLoop {
  const samples = sink.bytes === 'Uint8Array' ? new Uint8Array(256) : new Int8Array(256);
  for (let k = 0; k < 256; k++) samples[k] = k; // Int8Array wraps: samples[k] & 255 === k
  const TV = new Float64Array(256);
  const TM = new Uint32Array(256);
  tabulate(Int32Array.of(0, 256), samples, TV, TM);
  const range: ValueRange = { min: Infinity, max: -Infinity, integer: true };
  for (let k = 0; k < 256; k++) {
    if (TM[k] === 0) continue;
    const v = TV[k];
    range.min = Math.min(range.min, v);
    range.max = Math.max(range.max, v);
    if (!Number.isInteger(v) || Object.is(v, -0)) range.integer = false;
  }
  // integer values read from an Int32Array keep the loop in integer arithmetic (a third faster into narrow state)
  const int32 = range.integer && range.min >= -2147483648 && range.max <= 2147483647;
  const wide = lookupLoop(sink.store({ v: 'TV[k]', m: 'TM[k]', type: 'number' }));
  // narrow state only ever receives non-negative integers (fitsNarrow); other tables keep the branching loop
  const narrow = sink.narrow && range.integer && range.min >= 0 && range.max <= 65535 ? sink.narrow : undefined;
  const TN = narrow && Int32Array.from(TV, (v, k) => (TM[k] === 0 ? narrowStart(narrow.op) : v));
  const branchless = narrow && lookupLoop(narrow.store('TN[k]', 'TM[k]'));
  const tables = { TV: int32 ? Int32Array.from(TV) : TV, TM: Uint8Array.from(TM, (m) => (m === 0 ? 0 : 1)), TN };
  // a masking table (valid samples are their own value) runs 16 pixels a step where the state is in a SIMD memory
  const masked = narrow && maskingSet(TV, TM);
  const loop: FusedLoop = (SP, X, ACC, CNT) => {
    if (!branchless || ACC instanceof Float64Array) return wide(SP, X, ACC, CNT, tables);
    if (!masked || !simdNarrowStep(narrow.op, masked, SP, X, ACC, CNT)) branchless(SP, X, ACC, CNT, tables);
  };
  loop.range = range;
  return loop;
}

type LookupLoop = (SP: Int32Array, X: ArrayLike<number>, ACC: ReducerFusion['acc'], CNT: ReducerFusion['counts'], H: object) => void;

/**
 * The loop of byteLookupLoop around `body` (which reads sample `k`'s tabulated result from H's tables), passing over
 * aligned pairs of words of 8 equal samples whose result is no-data.
 */
function lookupLoop(body: string): LookupLoop {
  const px = `{ const k = X[i] & 255;\n${body}}\n`;
  const source = `'use strict';
const TV = H.TV, TM = H.TM, TN = H.TN;
const W = (X.byteOffset & 3) === 0 ? new Uint32Array(X.buffer, X.byteOffset, X.length >> 2) : null;
for (let s = 0; s < SP.length; s += 2) {
const e = SP[s + 1];
let i = SP[s];
if (W !== null) {
const a = Math.min(e, (i + 3) & -4);
for (; i < a; i++) ${px}
const we = e >> 2;
let j = i >> 2;
for (; j + 1 < we; j += 2) {
const w = W[j];
const b = w & 255;
if (w === W[j + 1] && w === b * 16843009 && TM[b] === 0) continue;
for (let i = j << 2, z = i + 8; i < z; i++) ${px}
}
if (i < j << 2) i = j << 2;
}
for (; i < e; i++) ${px}
}
`;
  return new Function('SP', 'X', 'ACC', 'CNT', 'H', source) as LookupLoop;
}

/** A loop over the pixels of the spans SP ([start, end) pairs); the body sees the pixel index as `i`. */
function spanLoop(body: string): string {
  return `for (let s = 0; s < SP.length; s += 2) {\nconst e = SP[s + 1];\nfor (let i = SP[s]; i < e; i++) {\n${body}}\n}\n`;
}

/** The same operand used twice by one node is loaded once. */
function dedupeLoads(loads: string): string {
  return [...new Set(loads.split('\n').filter((l) => l.length > 0))].map((l) => `${l}\n`).join('');
}
