/**
 * Immutable lexical scope of parameter values: a callback sees its own parameters first, then the parameters of
 * the graphs around it. Extending never changes the parent, so concurrent callback calls cannot interfere.
 */
export class Scope {
  readonly #values: ReadonlyMap<string, unknown>;
  readonly #parent: Scope | undefined;

  private constructor(values: ReadonlyMap<string, unknown>, parent: Scope | undefined) {
    this.#values = values;
    this.#parent = parent;
  }

  static root(values: Readonly<Record<string, unknown>> = {}): Scope {
    return new Scope(new Map(Object.entries(values)), undefined);
  }

  extend(values: Readonly<Record<string, unknown>>): Scope {
    return new Scope(new Map(Object.entries(values)), this);
  }

  has(name: string): boolean {
    return this.#values.has(name) || (this.#parent?.has(name) ?? false);
  }

  /** Every value visible from here (shadowed ones included): what a callback created in this scope could read. */
  values(): unknown[] {
    return [...this.#values.values(), ...(this.#parent?.values() ?? [])];
  }

  /** Throws if absent: validation guarantees every reference is defined, so a miss is a bug in the engine. */
  get(name: string): unknown {
    if (this.#values.has(name)) return this.#values.get(name);
    if (this.#parent) return this.#parent.get(name);
    throw new Error(`Parameter '${name}' is not defined in this scope.`);
  }
}

/** Names visible during validation (no values): the same nesting rules as `Scope`. */
export class NameScope {
  readonly #names: ReadonlySet<string>;
  readonly #parent: NameScope | undefined;

  constructor(names: Iterable<string>, parent?: NameScope) {
    this.#names = new Set(names);
    this.#parent = parent;
  }

  has(name: string): boolean {
    return this.#names.has(name) || (this.#parent?.has(name) ?? false);
  }

  all(): string[] {
    return [...new Set([...this.#names, ...(this.#parent?.all() ?? [])])];
  }
}
