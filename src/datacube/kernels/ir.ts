/**
 * The intermediate form between a callback graph and generated code: a list of per-pixel operations in dependency
 * order. Every value is a number (booleans as 0/1) plus a validity bit; what each operation means per pixel is in
 * templates.ts, and the compiler (compile.ts) only emits operations whose operand types the scalar process accepts.
 */

export type ValueType = 'number' | 'boolean';

export type IrNode =
  /** A plane input: `slot` indexes the kernel's input list. */
  | { op: 'input'; slot: number; type: ValueType }
  /** A constant number or boolean (0/1), read from the constants table. */
  | { op: 'const'; value: number; type: ValueType }
  /** Constant no-data. */
  | { op: 'null'; type: ValueType }
  /** A computation; `params` are compile-time numbers (bounds, deltas, flags). */
  | { op: OpName; args: readonly number[]; params: readonly number[]; type: ValueType };

export type OpName =
  | 'absolute' | 'sgn' | 'sqrt' | 'exp' | 'ln' | 'floor' | 'ceil' | 'int' | 'round' | 'clip' | 'linear_scale_range'
  | 'add' | 'subtract' | 'multiply' | 'divide' | 'power' | 'log' | 'normalized_difference'
  | 'eq' | 'neq' | 'eq_delta' | 'neq_delta' | 'gt' | 'gte' | 'lt' | 'lte' | 'between'
  /** false wherever all operands are valid: comparisons across types, ordering of non-numbers. */
  | 'false_if_valid'
  | 'and' | 'or' | 'xor' | 'not' | 'if'
  | 'is_nodata' | 'is_nan' | 'is_valid' | 'is_valid_boolean'
  /** Reducers over a list of operands; params[0] = ignore_nodata (1/0). count: params[0] = 1 counts all elements. */
  | 'list_max' | 'list_min' | 'list_sum' | 'list_mean' | 'list_product' | 'list_first' | 'list_last' | 'list_count';

export type ComputeNode = Extract<IrNode, { args: readonly number[] }>;
