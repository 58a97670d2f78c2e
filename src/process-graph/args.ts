/**
 * Typed access to the arguments of one process call. Accessors check the runtime type (arguments computed by other
 * nodes are not schema-checked before running) and throw errors that name the process and the parameter.
 */
import { parameterInvalid, parameterRequired, parameterTypeMismatch } from './errors.ts';
import type { Callback, ProcessArgs, ProcessSpec } from './types.ts';

export type LazyThunk = () => Promise<unknown>;

const isCallback = (v: unknown): v is Callback =>
  typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'callback';

const isNumber = (v: unknown): v is number => typeof v === 'number';
const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isString = (v: unknown): v is string => typeof v === 'string';
const isNumberOrNull = (v: unknown): v is number | null => v === null || isNumber(v);
const isBooleanOrNull = (v: unknown): v is boolean | null => v === null || isBoolean(v);
const isArray = (v: unknown): v is readonly unknown[] => Array.isArray(v);

export function createProcessArgs(
  spec: ProcessSpec,
  values: ReadonlyMap<string, unknown>,
  lazy: ReadonlyMap<string, LazyThunk> = new Map(),
): ProcessArgs {
  return new Args(spec, values, lazy);
}

/**
 * A class rather than an object of closures: per-pixel callbacks create one per process call, and methods on the
 * prototype cost nothing per instance.
 */
class Args implements ProcessArgs {
  #started: Map<string, Promise<unknown>> | undefined;

  constructor(
    private readonly spec: ProcessSpec,
    private readonly values: ReadonlyMap<string, unknown>,
    private readonly lazyThunks: ReadonlyMap<string, LazyThunk>,
  ) {}

  get processId(): string {
    return this.spec.id;
  }

  has(name: string): boolean {
    return this.values.has(name) || this.lazyThunks.has(name);
  }

  get(name: string): unknown {
    if (this.values.has(name)) return this.values.get(name);
    if (this.lazyThunks.has(name)) throw new Error(`Parameter '${name}' of '${this.spec.id}' is lazy: use args.lazy().`);
    return this.spec.parameters.find((p) => p.name === name)?.default;
  }

  #required(name: string): unknown {
    const v = this.get(name);
    if (v === undefined) throw parameterRequired(this.spec.id, name);
    return v;
  }

  /** Absent or null optional arguments fall back. */
  #optional(name: string): unknown {
    const v = this.values.has(name) ? this.values.get(name) : undefined;
    return v === null ? undefined : v;
  }

  #typed<T>(name: string, v: unknown, ok: (v: unknown) => v is T, expected: string): T {
    if (!ok(v)) throw parameterTypeMismatch(this.spec.id, name, expected, v);
    return v;
  }

  number(name: string): number {
    return this.#typed(name, this.#required(name), isNumber, 'a number');
  }
  numberOrNull(name: string): number | null {
    return this.#typed(name, this.#required(name), isNumberOrNull, 'a number or null');
  }
  optionalNumber(name: string, fallback: number): number {
    return this.#typed(name, this.#optional(name) ?? fallback, isNumber, 'a number');
  }
  integer(name: string): number {
    return this.#typed(name, this.#required(name), isInteger, 'an integer');
  }
  optionalInteger(name: string, fallback: number): number {
    return this.#typed(name, this.#optional(name) ?? fallback, isInteger, 'an integer');
  }
  boolean(name: string): boolean {
    return this.#typed(name, this.#required(name), isBoolean, 'a boolean');
  }
  booleanOrNull(name: string): boolean | null {
    return this.#typed(name, this.#required(name), isBooleanOrNull, 'a boolean or null');
  }
  optionalBoolean(name: string, fallback: boolean): boolean {
    return this.#typed(name, this.#optional(name) ?? fallback, isBoolean, 'a boolean');
  }
  string(name: string): string {
    return this.#typed(name, this.#required(name), isString, 'a string');
  }
  optionalString(name: string, fallback: string): string {
    return this.#typed(name, this.#optional(name) ?? fallback, isString, 'a string');
  }
  array(name: string): readonly unknown[] {
    return this.#typed(name, this.#required(name), isArray, 'an array');
  }
  callback(name: string): Callback {
    return this.#typed(name, this.#required(name), isCallback, 'a process graph (callback)');
  }
  optionalCallback(name: string): Callback | undefined {
    const v = this.#optional(name);
    return v === undefined ? undefined : this.#typed(name, v, isCallback, 'a process graph (callback)');
  }
  lazy(name: string): Promise<unknown> {
    const thunk = this.lazyThunks.get(name);
    if (!thunk) return Promise.resolve(this.get(name));
    this.#started ??= new Map();
    let p = this.#started.get(name);
    if (!p) this.#started.set(name, (p = thunk()));
    return p;
  }
  invalid(name: string, reason: string): never {
    throw parameterInvalid(this.spec.id, name, reason);
  }
}
