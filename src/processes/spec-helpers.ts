/** Small builders for process specs, so that each process module states only what is particular to it. */
import type { JsonSchema, ParameterSchema, ParameterSpec, ProcessDefinition } from '../process-graph/types.ts';

export const NUMBER_OR_NULL: JsonSchema = { type: ['number', 'null'] };
export const BOOLEAN_OR_NULL: JsonSchema = { type: ['boolean', 'null'] };
export const SCALAR_OR_NULL: JsonSchema = { type: ['number', 'boolean', 'string', 'null'] };
export const ANY: JsonSchema = { description: 'Any data type is allowed.' };
export const NUMBERS_ARRAY: JsonSchema = { type: 'array', items: NUMBER_OR_NULL };
export const ANY_ARRAY: JsonSchema = { type: 'array', items: ANY };

export function required(name: string, description: string, schema: ParameterSchema): ParameterSpec {
  return { name, description, schema };
}

export function optional(name: string, description: string, schema: ParameterSchema, def: unknown): ParameterSpec {
  return def === undefined ? { name, description, schema, optional: true } : { name, description, schema, optional: true, default: def };
}

export const ignoreNodata = (what: string): ParameterSpec =>
  optional(
    'ignore_nodata',
    `With \`true\` (the default) no-data values are left out of the ${what}; with \`false\` any no-data value makes the result no-data.`,
    { type: 'boolean' },
    true,
  );

/** Checks an element type at run time where the accessor cannot (array items, lazy values). */
export function expectNumberOrNull(args: { invalid(name: string, reason: string): never }, name: string, v: unknown): number | null {
  if (v === null || typeof v === 'number') return v;
  return args.invalid(name, `expected a number or null, got ${typeof v}.`);
}

export function expectBooleanOrNull(args: { invalid(name: string, reason: string): never }, name: string, v: unknown): boolean | null {
  if (v === null || typeof v === 'boolean') return v;
  return args.invalid(name, `expected a boolean or null, got ${typeof v}.`);
}

export type Definitions = readonly ProcessDefinition[];
