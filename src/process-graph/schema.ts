/**
 * Checks constant arguments against the JSON schemas of process parameters (ajv), and reads callback parameter
 * lists out of `subtype: process-graph` schemas. One checker per registry: compiled validators are cached here.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { JsonSchema, ParameterSchema, ParameterSpec } from './types.ts';

// ajv-formats is CommonJS; depending on the loader the plugin is the module itself or its `default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
) => void;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const alternatives = (schema: ParameterSchema): readonly JsonSchema[] =>
  Array.isArray(schema) ? schema : [schema as JsonSchema];

/** The `parameters` of the first process-graph alternative of a schema, or undefined if no callback is allowed. */
export function callbackParameters(schema: ParameterSchema): readonly ParameterSpec[] | undefined {
  for (const alt of alternatives(schema)) {
    if (alt.subtype === 'process-graph') return Array.isArray(alt.parameters) ? (alt.parameters as ParameterSpec[]) : [];
    for (const key of ['anyOf', 'oneOf'] as const) {
      if (Array.isArray(alt[key])) {
        const found = callbackParameters(alt[key] as JsonSchema[]);
        if (found) return found;
      }
    }
  }
  return undefined;
}

/**
 * Rewrites an openEO schema into a plain JSON schema for constants: a constant can never be a callback, so
 * process-graph alternatives match nothing; openEO-only keywords (subtype, parameters, …) are left as annotations.
 */
function toAjvSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return { anyOf: schema.map(toAjvSchema) };
  if (!isObject(schema)) return schema;
  if (schema.subtype === 'process-graph') return { not: {} };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'parameters' || k === 'returns' || k === 'default' || k === 'examples') continue;
    if (k === 'properties' || k === 'patternProperties' || k === 'definitions' || k === '$defs') {
      out[k] = isObject(v) ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, toAjvSchema(s)])) : v;
    } else if (k === 'anyOf' || k === 'oneOf' || k === 'allOf') {
      out[k] = Array.isArray(v) ? v.map(toAjvSchema) : v;
    } else if (k === 'items' || k === 'additionalProperties' || k === 'not' || k === 'contains') {
      out[k] = Array.isArray(v) ? v.map(toAjvSchema) : toAjvSchema(v);
    } else {
      out[k] = v;
    }
  }
  return out;
}

export class SchemaChecker {
  readonly #ajv: Ajv;
  readonly #cache = new WeakMap<object, ValidateFunction>();

  constructor() {
    // Lenient: unknown openEO keywords and formats are annotations, not errors.
    this.#ajv = new Ajv({ strict: false, logger: false, allErrors: false, validateSchema: false });
    addFormats(this.#ajv);
  }

  /** undefined when `value` matches `schema`, otherwise a short human-readable reason. */
  check(schema: ParameterSchema, value: unknown): string | undefined {
    const key = schema as object;
    let validate = this.#cache.get(key);
    if (!validate) {
      validate = this.#ajv.compile(toAjvSchema(schema) as object);
      this.#cache.set(key, validate);
    }
    if (validate(value)) return undefined;
    return this.#ajv.errorsText(validate.errors, { dataVar: 'value' });
  }
}
