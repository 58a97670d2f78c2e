/**
 * Compile-time values of a callback graph and the IR builder the process rules append to. A value is a constant
 * (folded at compile time), a plane (an IR node computed per pixel) or a list of values (the band array of a
 * reducer over `bands`, or an array argument).
 */
import type { Label } from '../../processes/labeled-array.ts';
import type { ComputeNode, IrNode, OpName, ValueType } from './ir.ts';

export type CValue =
  | { k: 'const'; value: unknown }
  | { k: 'plane'; ref: number; type: ValueType }
  | { k: 'list'; items: readonly CValue[]; labels?: readonly Label[] };

/** Thrown inside the compiler when a graph needs something the kernels do not do; the caller falls back. */
export class Unsupported extends Error {}

export const unsupported = (reason: string): never => {
  throw new Unsupported(reason);
};

export const isConst = (v: CValue): v is { k: 'const'; value: unknown } => v.k === 'const';

export class IrBuilder {
  readonly nodes: IrNode[] = [];
  private readonly constRefs = new Map<string, number>();

  push(node: IrNode): number {
    this.nodes.push(node);
    return this.nodes.length - 1;
  }

  op(op: OpName, args: readonly CValue[], params: readonly number[], type: ValueType): CValue {
    const refs = args.map((a) => this.ref(a));
    return { k: 'plane', ref: this.push({ op, args: refs, params, type } satisfies ComputeNode), type };
  }

  /** The IR node of a scalar operand; constants are shared. Strings, arrays and objects are not pixel values. */
  ref(v: CValue): number {
    if (v.k === 'plane') return v.ref;
    if (v.k === 'list') return unsupported('an array where a single value is needed');
    const value = v.value;
    let node: IrNode;
    if (value === null) node = { op: 'null', type: 'number' };
    else if (typeof value === 'number') node = { op: 'const', value, type: 'number' };
    else if (typeof value === 'boolean') node = { op: 'const', value: value ? 1 : 0, type: 'boolean' };
    else return unsupported(`a constant ${typeof value} as a pixel value`);
    const key = `${node.op}:${node.type}:${node.op === 'const' ? Object.is(node.value, -0) ? '-0' : node.value : ''}`;
    let ref = this.constRefs.get(key);
    if (ref === undefined) this.constRefs.set(key, (ref = this.push(node)));
    return ref;
  }
}

/** The static type of a scalar operand: null for constant no-data, 'string' etc. for other constants. */
export function typeOf(v: CValue): ValueType | 'null' | 'other' {
  if (v.k === 'plane') return v.type;
  if (v.k === 'list') return 'other';
  if (v.value === null) return 'null';
  if (typeof v.value === 'number') return 'number';
  if (typeof v.value === 'boolean') return 'boolean';
  return 'other';
}

/** A compile-time number argument (bounds, deltas), with the default when absent or null (optional parameters). */
export function constNumber(v: CValue | undefined, what: string, fallback?: number): number {
  if (v === undefined || (v.k === 'const' && v.value === null)) {
    return fallback ?? unsupported(`${what} is required`);
  }
  if (v.k === 'const' && typeof v.value === 'number') return v.value;
  return unsupported(`${what} must be a constant number`);
}

export function constBoolean(v: CValue | undefined, what: string, fallback: boolean): boolean {
  if (v === undefined || (v.k === 'const' && v.value === null)) return fallback;
  if (v.k === 'const' && typeof v.value === 'boolean') return v.value;
  return unsupported(`${what} must be a constant boolean`);
}

/** The elements of an array operand: a list value, or a constant array split into constants. */
export function listItems(v: CValue): readonly CValue[] {
  if (v.k === 'list') return v.items;
  if (v.k === 'const' && Array.isArray(v.value)) return v.value.map((value) => ({ k: 'const', value }) as CValue);
  return unsupported('expected an array');
}
