/**
 * Typed access to the arguments of one process call. Accessors check the runtime type (arguments computed by other
 * nodes are not schema-checked before running) and throw errors that name the process and the parameter.
 */
import { parameterInvalid, parameterRequired, parameterTypeMismatch } from './errors.ts';
import type { Callback, ProcessArgs, ProcessSpec } from './types.ts';

export type LazyThunk = () => Promise<unknown>;

const isCallback = (v: unknown): v is Callback =>
  typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'callback';

export function createProcessArgs(
  spec: ProcessSpec,
  values: ReadonlyMap<string, unknown>,
  lazy: ReadonlyMap<string, LazyThunk> = new Map(),
): ProcessArgs {
  const id = spec.id;
  const param = (name: string) => spec.parameters.find((p) => p.name === name);
  const get = (name: string): unknown => {
    if (values.has(name)) return values.get(name);
    if (lazy.has(name)) throw new Error(`Parameter '${name}' of '${id}' is lazy: use args.lazy().`);
    return param(name)?.default;
  };
  const required = (name: string): unknown => {
    const v = get(name);
    if (v === undefined) throw parameterRequired(id, name);
    return v;
  };
  /** Absent or null optional arguments fall back. */
  const optional = (name: string): unknown => {
    const v = values.has(name) ? values.get(name) : undefined;
    return v === null ? undefined : v;
  };
  const typed = <T>(name: string, v: unknown, ok: (v: unknown) => v is T, expected: string): T => {
    if (!ok(v)) throw parameterTypeMismatch(id, name, expected, v);
    return v;
  };
  const isNumber = (v: unknown): v is number => typeof v === 'number';
  const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
  const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
  const isString = (v: unknown): v is string => typeof v === 'string';
  const orNull =
    <T>(ok: (v: unknown) => v is T) =>
    (v: unknown): v is T | null =>
      v === null || ok(v);
  const started = new Map<string, Promise<unknown>>();

  return {
    processId: id,
    has: (name) => values.has(name) || lazy.has(name),
    get,
    number: (name) => typed(name, required(name), isNumber, 'a number'),
    numberOrNull: (name) => typed(name, required(name), orNull(isNumber), 'a number or null'),
    optionalNumber: (name, fallback) => typed(name, optional(name) ?? fallback, isNumber, 'a number'),
    integer: (name) => typed(name, required(name), isInteger, 'an integer'),
    optionalInteger: (name, fallback) => typed(name, optional(name) ?? fallback, isInteger, 'an integer'),
    boolean: (name) => typed(name, required(name), isBoolean, 'a boolean'),
    booleanOrNull: (name) => typed(name, required(name), orNull(isBoolean), 'a boolean or null'),
    optionalBoolean: (name, fallback) => typed(name, optional(name) ?? fallback, isBoolean, 'a boolean'),
    string: (name) => typed(name, required(name), isString, 'a string'),
    optionalString: (name, fallback) => typed(name, optional(name) ?? fallback, isString, 'a string'),
    array: (name) => typed(name, required(name), Array.isArray, 'an array') as readonly unknown[],
    callback: (name) => typed(name, required(name), isCallback, 'a process graph (callback)'),
    optionalCallback: (name) => {
      const v = optional(name);
      return v === undefined ? undefined : typed(name, v, isCallback, 'a process graph (callback)');
    },
    lazy: (name) => {
      const thunk = lazy.get(name);
      if (!thunk) return Promise.resolve(get(name));
      let p = started.get(name);
      if (!p) started.set(name, (p = thunk()));
      return p;
    },
    invalid: (name, reason) => {
      throw parameterInvalid(id, name, reason);
    },
  };
}
