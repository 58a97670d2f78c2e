/**
 * Per process: which operand types the scalar implementation accepts and which IR operation computes it. Anything
 * the scalar process would reject at run time (e.g. `add` on a boolean pixel) is `Unsupported` here, so the caller
 * falls back to the interpreter, which raises the proper error (or not, if every such pixel is no-data).
 */
import type { ValueType } from './ir.ts';
import { constBoolean, constNumber, IrBuilder, listItems, typeOf, unsupported, type CValue } from './compile-values.ts';

type Args = Readonly<Record<string, CValue>>;
type Rule = (a: Args, ir: IrBuilder) => CValue;

const NULL: CValue = { k: 'const', value: null };

function arg(a: Args, name: string): CValue {
  return a[name] ?? unsupported(`parameter '${name}' is missing`);
}

/** An operand that must be a number (or no-data). */
function num(a: Args, name: string): CValue {
  const v = arg(a, name);
  const t = typeOf(v);
  return t === 'number' || t === 'null' ? v : unsupported(`'${name}' must be a number, got ${t}`);
}

function bool(a: Args, name: string): CValue {
  const v = arg(a, name);
  const t = typeOf(v);
  return t === 'boolean' || t === 'null' ? v : unsupported(`'${name}' must be a boolean, got ${t}`);
}

const unaryNum = (op: 'absolute' | 'sgn' | 'sqrt' | 'exp' | 'ln' | 'floor' | 'ceil' | 'int', name = 'x'): Rule => (a, ir) =>
  ir.op(op, [num(a, name)], [], 'number');

const binaryNum = (op: 'add' | 'subtract' | 'multiply' | 'divide' | 'power' | 'log' | 'normalized_difference', x = 'x', y = 'y'): Rule => (a, ir) =>
  ir.op(op, [num(a, x), num(a, y)], [], 'number');

/** Operands that are no-data constants make the result no-data; typed-mismatched ones never reach a plane. */
const pixelOperands = (...vs: CValue[]) => vs.filter((v) => v.k === 'plane');

function equality(negate: boolean): Rule {
  return (a, ir) => {
    const x = arg(a, 'x');
    const y = arg(a, 'y');
    const tx = typeOf(x);
    const ty = typeOf(y);
    if (tx === 'null' || ty === 'null') return NULL;
    if (tx === 'other' && ty === 'other') return unsupported('comparison of two non-numeric constants'); // folded before
    if (tx !== ty) {
      // Different types are never equal: the answer is fixed wherever the pixel operands are valid.
      return negate ? ir.op('not', [ir.op('false_if_valid', pixelOperands(x, y), [], 'boolean')], [], 'boolean') : ir.op('false_if_valid', pixelOperands(x, y), [], 'boolean');
    }
    const delta = a.delta;
    if (tx === 'number' && delta && !(delta.k === 'const' && delta.value === null)) {
      return ir.op(negate ? 'neq_delta' : 'eq_delta', [x, y], [constNumber(delta, 'delta')], 'boolean');
    }
    return ir.op(negate ? 'neq' : 'eq', [x, y], [], 'boolean');
  };
}

function ordering(op: 'gt' | 'gte' | 'lt' | 'lte'): Rule {
  return (a, ir) => {
    const x = arg(a, 'x');
    const y = arg(a, 'y');
    const tx = typeOf(x);
    const ty = typeOf(y);
    if (tx === 'null' || ty === 'null') return NULL;
    if (tx === 'number' && ty === 'number') return ir.op(op, [x, y], [], 'boolean');
    return ir.op('false_if_valid', pixelOperands(x, y), [], 'boolean');
  };
}

const logic2 = (op: 'and' | 'or' | 'xor'): Rule => (a, ir) => ir.op(op, [bool(a, 'x'), bool(a, 'y')], [], 'boolean');

function listReducer(op: 'list_max' | 'list_min' | 'list_sum' | 'list_mean' | 'list_product'): Rule {
  return (a, ir) => {
    const items = listItems(arg(a, 'data'));
    for (const it of items) {
      const t = typeOf(it);
      if (t !== 'number' && t !== 'null') unsupported(`${op.slice(5)} over ${t} elements`);
    }
    return ir.op(op, items, [constBoolean(a.ignore_nodata, 'ignore_nodata', true) ? 1 : 0], 'number');
  };
}

/** The common type of values that may meet in one plane (no-data fits anything). */
function unify(vs: readonly CValue[]): ValueType {
  let type: ValueType | undefined;
  for (const v of vs) {
    const t = typeOf(v);
    if (t === 'null') continue;
    if (t === 'other') return unsupported('a non-numeric value as a pixel value');
    if (type && type !== t) return unsupported('numbers and booleans mixed in one result');
    type = t;
  }
  return type ?? 'number';
}

function firstOrLast(op: 'list_first' | 'list_last'): Rule {
  return (a, ir) => {
    const items = listItems(arg(a, 'data'));
    return ir.op(op, items, [constBoolean(a.ignore_nodata, 'ignore_nodata', true) ? 1 : 0], unify(items));
  };
}

function arrayElement(a: Args): CValue {
  const data = arg(a, 'data');
  const index = a.index && !(a.index.k === 'const' && a.index.value === null) ? a.index : undefined;
  const label = a.label && !(a.label.k === 'const' && a.label.value === null) ? a.label : undefined;
  if (!index === !label) return unsupported('array_element needs exactly one of index and label');
  let position: number;
  if (index) {
    position = constNumber(index, 'index');
    if (!Number.isInteger(position)) unsupported('index must be an integer');
  } else {
    if (data.k !== 'list' || !data.labels) return unsupported('array_element by label on an unlabeled array');
    if (label!.k !== 'const' || (typeof label!.value !== 'string' && typeof label!.value !== 'number')) return unsupported('label must be a constant');
    position = data.labels.indexOf(label!.value);
  }
  const items = listItems(data);
  if (position >= 0 && position < items.length) return items[position];
  return constBoolean(a.return_nodata, 'return_nodata', false) ? NULL : unsupported('array element not available');
}

export const RULES: Readonly<Record<string, Rule>> = {
  absolute: unaryNum('absolute'),
  sgn: unaryNum('sgn'),
  sqrt: unaryNum('sqrt'),
  exp: unaryNum('exp', 'p'),
  ln: unaryNum('ln'),
  floor: unaryNum('floor'),
  ceil: unaryNum('ceil'),
  int: unaryNum('int'),
  round: (a, ir) => {
    const p = constNumber(a.p, 'p', 0);
    if (!Number.isInteger(p)) unsupported('p must be an integer');
    return ir.op('round', [num(a, 'x')], [p], 'number');
  },
  clip: (a, ir) => {
    const min = constNumber(a.min, 'min');
    const max = constNumber(a.max, 'max');
    if (min > max) unsupported('clip with min > max raises MinMaxSwapped');
    return ir.op('clip', [num(a, 'x')], [min, max, Number.isNaN(min) || Number.isNaN(max) ? 1 : 0], 'number');
  },
  linear_scale_range: (a, ir) => {
    const inMin = constNumber(a.inputMin, 'inputMin');
    const inMax = constNumber(a.inputMax, 'inputMax');
    const outMin = constNumber(a.outputMin, 'outputMin', 0);
    const outMax = constNumber(a.outputMax, 'outputMax', 1);
    const params = [Math.min(inMin, inMax), Math.max(inMin, inMax), inMin, inMax - inMin, outMax - outMin, outMin];
    return ir.op('linear_scale_range', [num(a, 'x')], params, 'number');
  },
  add: binaryNum('add'),
  subtract: binaryNum('subtract'),
  multiply: binaryNum('multiply'),
  divide: binaryNum('divide'),
  power: binaryNum('power', 'base', 'p'),
  log: binaryNum('log', 'x', 'base'),
  normalized_difference: binaryNum('normalized_difference'),
  eq: equality(false),
  neq: equality(true),
  gt: ordering('gt'),
  gte: ordering('gte'),
  lt: ordering('lt'),
  lte: ordering('lte'),
  between: (a, ir) => {
    const x = arg(a, 'x');
    const t = typeOf(x);
    const min = constNumber(a.min, 'min');
    const max = constNumber(a.max, 'max');
    const excl = constBoolean(a.exclude_max, 'exclude_max', false);
    if (t === 'null') return NULL;
    if (t !== 'number' || min > max) return ir.op('false_if_valid', pixelOperands(x), [], 'boolean');
    return ir.op('between', [x], [min, max, excl ? 1 : 0], 'boolean');
  },
  and: logic2('and'),
  or: logic2('or'),
  xor: logic2('xor'),
  not: (a, ir) => ir.op('not', [bool(a, 'x')], [], 'boolean'),
  if: (a, ir) => {
    const accept = arg(a, 'accept');
    const reject = a.reject ?? NULL;
    return ir.op('if', [bool(a, 'value'), accept, reject], [], unify([accept, reject]));
  },
  is_nodata: (a, ir) => ir.op('is_nodata', [arg(a, 'x')], [], 'boolean'),
  is_nan: (a, ir) => {
    const x = arg(a, 'x');
    return typeOf(x) === 'boolean' ? { k: 'const', value: false } : ir.op('is_nan', [x], [], 'boolean');
  },
  is_valid: (a, ir) => {
    const x = arg(a, 'x');
    return ir.op(typeOf(x) === 'boolean' ? 'is_valid_boolean' : 'is_valid', [x], [], 'boolean');
  },
  constant: (a) => arg(a, 'x'),
  array_element: (a) => arrayElement(a),
  max: listReducer('list_max'),
  min: listReducer('list_min'),
  sum: listReducer('list_sum'),
  mean: listReducer('list_mean'),
  product: listReducer('list_product'),
  first: firstOrLast('list_first'),
  last: firstOrLast('list_last'),
  count: (a, ir) => {
    const condition = a.condition;
    let all = false;
    if (condition && !(condition.k === 'const' && condition.value === null)) {
      if (condition.k === 'const' && condition.value === true) all = true;
      else unsupported('count with a condition callback');
    }
    const items = listItems(arg(a, 'data'));
    for (const it of items) if (typeOf(it) === 'other') unsupported('count over non-numeric elements');
    return ir.op('list_count', items, [all ? 1 : 0], 'number');
  },
};
