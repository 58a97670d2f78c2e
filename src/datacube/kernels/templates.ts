/**
 * What each operation computes for one pixel, as JavaScript expressions over its operands' value (`v`) and validity
 * (`m`, 0/1) expressions. These mirror the scalar `run` functions of src/processes expression for expression
 * (same operations in the same order), so that results are bit-identical; the tests check that against them.
 * Operands whose validity is statically known are the literals '1' / '0', which the mask helpers fold away.
 */
import type { OpName, ValueType } from './ir.ts';

export interface Operand {
  v: string;
  m: string;
  type: ValueType;
}

export interface Emitted {
  /** Statements to run first (may declare temporaries named with the given prefix). */
  code?: string;
  v: string;
  m: string;
}

/** Validity of a result that needs every operand: the AND of their masks, with literals and repeats folded. */
export function allValid(...ms: string[]): string {
  if (ms.includes('0')) return '0';
  const vars = [...new Set(ms.filter((m) => m !== '1'))];
  return vars.length === 0 ? '1' : vars.length === 1 ? vars[0] : `(${vars.join(' & ')})`;
}

/** OR of 0/1 expressions, literals and repeats folded. */
function anyOf(...ms: string[]): string {
  if (ms.includes('1')) return '1';
  const vars = [...new Set(ms.filter((m) => m !== '0'))];
  return vars.length === 0 ? '0' : vars.length === 1 ? vars[0] : `(${vars.join(' | ')})`;
}

const not = (m: string) => (m === '1' ? '0' : m === '0' ? '1' : `(${m} ^ 1)`);

/** 0/1 from a condition. `+(cond)` compiles without a branch in V8; `cond ? 1 : 0` mispredicts on noisy data (4x slower). */
const b = (cond: string) => `(+(${cond}))`;

type Template = (a: readonly Operand[], p: readonly string[], t: string) => Emitted;

const unary = (f: (x: string) => string): Template => ([x]) => ({ v: f(x.v), m: x.m });
const binary = (f: (x: string, y: string) => string): Template => ([x, y]) => ({ v: f(x.v, y.v), m: allValid(x.m, y.m) });

function listReducer(kind: 'max' | 'min' | 'sum' | 'mean' | 'product'): Template {
  return (items, [ignore], t) => {
    if (items.length === 0) return { v: '0', m: '0' };
    const acc = `${t}a`;
    const cnt = `${t}c`;
    const init = kind === 'product' ? '1' : '0';
    let code = `let ${acc} = ${init}, ${cnt} = 0;\n`;
    for (const x of items) {
      if (x.m === '0') continue;
      const step =
        kind === 'max' || kind === 'min'
          ? `${acc} = ${cnt} === 0 ? ${x.v} : Math.${kind}(${acc}, ${x.v}); ${cnt}++;`
          : `${acc} ${kind === 'product' ? '*=' : '+='} ${x.v}; ${cnt}++;`;
      code += x.m === '1' ? `${step}\n` : `if (${x.m}) { ${step} }\n`;
    }
    const v = kind === 'mean' ? `${acc} / ${cnt}` : acc;
    const m = ignore === '1' ? `(+(${cnt} > 0))` : allValid(...items.map((x) => x.m));
    return { code, v, m };
  };
}

function firstOrLast(items: readonly Operand[], ignore: string): Emitted {
  if (items.length === 0) return { v: '0', m: '0' };
  if (ignore !== '1') return { v: items[0].v, m: items[0].m };
  // The first valid item: a chain of conditionals from the front (items with a literal mask end or skip it).
  let v = '0';
  let m = '0';
  for (let k = items.length - 1; k >= 0; k--) {
    const x = items[k];
    if (x.m === '0') continue;
    if (x.m === '1') {
      v = x.v;
      m = '1';
    } else {
      v = `(${x.m} ? ${x.v} : ${v})`;
      m = m === '1' ? '1' : `(${x.m} | ${m})`;
    }
  }
  return { v, m };
}

export const TEMPLATES: Record<OpName, Template> = {
  absolute: unary((x) => `Math.abs(${x})`),
  sgn: unary((x) => `(${x} > 0 ? 1 : ${x} < 0 ? -1 : ${x} === 0 ? 0 : NaN)`),
  sqrt: unary((x) => `Math.sqrt(${x})`),
  exp: unary((x) => `Math.exp(${x})`),
  ln: unary((x) => `Math.log(${x})`),
  // `+ 0` turns -0 into 0, as the scalar processes do.
  floor: unary((x) => `(Math.floor(${x}) + 0)`),
  ceil: unary((x) => `(Math.ceil(${x}) + 0)`),
  int: ([x]) => ({ v: `(Math.trunc(${x.v}) + 0)`, m: allValid(x.m, b(`${x.v} === ${x.v}`)) }),
  round: ([x], [p]) => ({ v: `H.roundHalfEven(${x.v}, ${p})`, m: x.m }),
  // params: min, max, 1 if min or max is NaN
  clip: ([x], [min, max, nan]) => ({ v: `(${nan} !== 0 || ${x.v} !== ${x.v} ? NaN : Math.min(Math.max(${x.v}, ${min}), ${max}))`, m: x.m }),
  // params: lo, hi (input range ordered), inputMin, inputMax - inputMin, outputMax - outputMin, outputMin
  linear_scale_range: ([x], [lo, hi, inMin, inRange, outRange, outMin]) => ({
    v: `(((Math.min(Math.max(${x.v}, ${lo}), ${hi}) - ${inMin}) / ${inRange}) * ${outRange} + ${outMin})`,
    m: x.m,
  }),
  add: binary((x, y) => `(${x} + ${y})`),
  subtract: binary((x, y) => `(${x} - ${y})`),
  multiply: binary((x, y) => `(${x} * ${y})`),
  divide: binary((x, y) => `(${x} / ${y})`),
  power: binary((x, y) => `(${x} ** ${y})`),
  log: binary((x, y) => `(${y} === 10 ? Math.log10(${x}) : ${y} === 2 ? Math.log2(${x}) : Math.log(${x}) / Math.log(${y}))`),
  normalized_difference: binary((x, y) => `((${x} - ${y}) / (${x} + ${y}))`),
  eq: binary((x, y) => b(`${x} === ${y}`)),
  neq: binary((x, y) => b(`${x} !== ${y}`)),
  eq_delta: ([x, y], [d]) => ({ v: b(`Math.abs(${x.v} - ${y.v}) <= ${d}`), m: allValid(x.m, y.m) }),
  neq_delta: ([x, y], [d]) => ({ v: b(`!(Math.abs(${x.v} - ${y.v}) <= ${d})`), m: allValid(x.m, y.m) }),
  gt: binary((x, y) => b(`${x} > ${y}`)),
  gte: binary((x, y) => b(`${x} >= ${y}`)),
  lt: binary((x, y) => b(`${x} < ${y}`)),
  lte: binary((x, y) => b(`${x} <= ${y}`)),
  // params: min, max, exclude_max (1/0); the compiler turns min > max into false_if_valid
  between: ([x], [min, max, excl]) => ({
    v: b(`${x.v} >= ${min} && (${excl} !== 0 ? ${x.v} < ${max} : ${x.v} <= ${max})`),
    m: x.m,
  }),
  false_if_valid: (a) => ({ v: '0', m: allValid(...a.map((x) => x.m)) }),
  // Three-valued logic: a known false (and) or a known true (or) decides even when the other side is no-data.
  and: ([x, y]) => ({
    v: allValid(x.v, y.v, x.m, y.m),
    m: anyOf(allValid(x.m, y.m), allValid(x.m, not(x.v)), allValid(y.m, not(y.v))),
  }),
  or: ([x, y]) => ({
    v: anyOf(allValid(x.m, x.v), allValid(y.m, y.v)),
    m: anyOf(allValid(x.m, y.m), allValid(x.m, x.v), allValid(y.m, y.v)),
  }),
  xor: binary((x, y) => `(${x} ^ ${y})`),
  not: unary(not),
  // reject is taken for false and for no-data
  // A no-data branch leaves the value free, so the other branch's value serves without a (mispredicting) select.
  if: ([c, acc, rej], _p, t) => ({
    code: `const ${t}c = ${c.m} & ${c.v};\n`,
    v: acc.m === '0' || acc.v === rej.v ? rej.v : rej.m === '0' ? acc.v : `(${t}c ? ${acc.v} : ${rej.v})`,
    m: acc.m === rej.m ? acc.m : anyOf(allValid(`${t}c`, acc.m), allValid(not(`${t}c`), rej.m)),
  }),
  is_nodata: ([x]) => ({ v: not(x.m), m: '1' }),
  is_nan: ([x]) => ({ v: x.m === '0' ? '0' : `(${x.m} & ${b(`${x.v} !== ${x.v}`)})`, m: '1' }),
  // finite: x - x is 0 for finite x and NaN for NaN and the infinities
  is_valid: ([x]) => ({ v: x.m === '0' ? '0' : `(${x.m} & ${b(`${x.v} - ${x.v} === 0`)})`, m: '1' }),
  is_valid_boolean: ([x]) => ({ v: x.m, m: '1' }),
  list_max: listReducer('max'),
  list_min: listReducer('min'),
  list_sum: listReducer('sum'),
  list_mean: listReducer('mean'),
  list_product: listReducer('product'),
  list_first: (a, [ignore]) => firstOrLast(a, ignore),
  list_last: (a, [ignore]) => firstOrLast([...a].reverse(), ignore),
  list_count: (items, [all]) => {
    if (all === '1') return { v: String(items.length), m: '1' };
    const terms = items.map((x) => (x.type === 'boolean' ? x.m : x.m === '0' ? '0' : `(${x.m} & ${b(`${x.v} - ${x.v} === 0`)})`));
    return { v: terms.length ? `(${terms.join(' + ')})` : '0', m: '1' };
  },
};
