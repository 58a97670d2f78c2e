/**
 * The interpreter. A Frame evaluates one graph in one scope: each node at most once (memoised promises), arguments
 * dispatched on their `kind`, lazy parameters handed over as thunks, callbacks as closures over an immutable scope.
 * The same machinery runs the dry run (`planGraph`) with a different way of invoking processes.
 */
import { createProcessArgs, type LazyThunk } from './args.ts';
import { graphTooComplex, parameterRequired } from './errors.ts';
import type { Program, Target } from './program.ts';
import { Scope } from './scope.ts';
import type {
  Argument,
  ArgumentKind,
  Callback,
  ParameterSpec,
  ParsedGraph,
  ParsedNode,
  ProcessArgs,
  ProcessDefinition,
  ProcessLimits,
  ProcessServices,
} from './types.ts';
import { DEFAULT_PROCESS_LIMITS } from './limits.ts';

/** How a predefined process is called: run it, or ask it for its planning contribution. */
export interface Invoker {
  readonly eagerOnly: boolean;
  /** `inCallback`: the call belongs to a callback graph (or a user-defined process called from one). */
  invoke(def: ProcessDefinition, args: ProcessArgs, signal: AbortSignal, path: readonly string[], inCallback: boolean): unknown;
  /** Told about every callback created, with the parameter values its graph can read from the scopes around it. */
  callbackCreated?(visible: readonly unknown[]): void;
}

export interface EvaluateOptions {
  signal: AbortSignal;
  services?: ProcessServices;
  /** Values for the parameters of the top-level graph; missing ones take their defaults. */
  arguments?: Readonly<Record<string, unknown>>;
  /** Bounds nested user-defined process calls at run time (recursion). */
  maxDepth?: number;
  /** Handed to every process call; DEFAULT_PROCESS_LIMITS when absent. */
  limits?: ProcessLimits;
  /**
   * Lets the event loop run after every this many node evaluations (callbacks included; default never). Nodes whose
   * inputs are ready resolve in microtasks only, so a long scalar evaluation (array_apply over 100,000 elements, say)
   * would otherwise hold the thread, and every request to the server, until it ends.
   */
  yieldEvery?: number;
}

/** Runs a validated program and returns the value of its result node. */
export function evaluateProgram(program: Program, options: EvaluateOptions): Promise<unknown> {
  const services = options.services ?? ({} as ProcessServices);
  const limits = options.limits ?? DEFAULT_PROCESS_LIMITS;
  const invoker: Invoker = {
    eagerOnly: false,
    invoke: (def, args, signal, path, inCallback) =>
      def.run(args, inCallback ? { signal, services, limits } : { signal, services, limits, path }),
  };
  return runProgram(program, invoker, options);
}

export function runProgram(
  program: Program,
  invoker: Invoker,
  options: Omit<EvaluateOptions, 'services' | 'limits'>,
): Promise<unknown> {
  const scope = Scope.root(bindParameters('process graph', program.parameters, options.arguments ?? {}));
  const env: Env = { program, invoker, maxDepth: options.maxDepth ?? Infinity, yieldEvery: options.yieldEvery ?? 0, evaluated: 0 };
  return new Frame(env, program.graph, scope, 0, options.signal, [], false).run();
}

interface Env {
  readonly program: Program;
  readonly invoker: Invoker;
  readonly maxDepth: number;
  readonly yieldEvery: number;
  /** Node evaluations so far (see yieldEvery). */
  evaluated: number;
}

/** Given arguments plus defaults; required parameters without a value are an error. */
function bindParameters(
  owner: string,
  params: readonly ParameterSpec[] | null,
  given: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  if (!params) return { ...given };
  const values: Record<string, unknown> = {};
  for (const p of params) {
    if (p.name in given) values[p.name] = given[p.name];
    else if (p.default !== undefined) values[p.name] = p.default;
    else if (p.optional) values[p.name] = null;
    else throw parameterRequired(owner, p.name);
  }
  return values;
}

class Frame {
  readonly #results = new Map<string, Promise<unknown>>();

  constructor(
    private readonly env: Env,
    private readonly graph: ParsedGraph,
    private readonly scope: Scope,
    private readonly depth: number,
    private readonly signal: AbortSignal,
    private readonly path: readonly string[],
    private readonly inCallback: boolean,
  ) {}

  async run(): Promise<unknown> {
    // All end nodes run (openEO semantics); the result node provides the value.
    await Promise.all(this.graph.endNodes.map((id) => this.node(id)));
    return this.node(this.graph.resultId);
  }

  node(id: string): Promise<unknown> {
    let p = this.#results.get(id);
    if (!p) {
      p = this.#evaluate(this.graph.nodes.get(id)!);
      this.#results.set(id, p);
    }
    return p;
  }

  async #evaluate(node: ParsedNode): Promise<unknown> {
    if (this.env.yieldEvery > 0 && ++this.env.evaluated % this.env.yieldEvery === 0) await new Promise<void>((r) => setImmediate(r));
    this.signal.throwIfAborted();
    const target: Target | undefined = this.env.program.targets.get(node);
    if (!target) throw new Error(`Node '${node.id}' was not validated.`);
    const path = [...this.path, node.id];
    if (target.kind === 'user') {
      if (this.depth + 1 > this.env.maxDepth) {
        throw graphTooComplex(`user-defined process calls nested deeper than ${this.env.maxDepth}.`);
      }
      const given = await this.#resolveAll(node.args, new Set());
      const scope = Scope.root(bindParameters(target.program.id, target.program.parameters, Object.fromEntries(given)));
      return new Frame(this.env, target.program.graph, scope, this.depth + 1, this.signal, path, this.inCallback).run();
    }
    const lazyNames = new Set(this.env.invoker.eagerOnly ? [] : (target.def.lazy ?? []));
    const values = await this.#resolveAll(node.args, lazyNames);
    const thunks = new Map<string, LazyThunk>();
    for (const name of lazyNames) {
      const arg = node.args[name];
      if (arg) thunks.set(name, () => this.resolve(arg));
    }
    const args = createProcessArgs(target.def.spec, values, thunks);
    return this.env.invoker.invoke(target.def, args, this.signal, path, this.inCallback);
  }

  async #resolveAll(args: Readonly<Record<string, Argument>>, skip: ReadonlySet<string>): Promise<Map<string, unknown>> {
    const names = Object.keys(args).filter((n) => !skip.has(n));
    const values = await Promise.all(names.map((n) => this.resolve(args[n])));
    return new Map(names.map((n, i) => [n, values[i]]));
  }

  resolve(arg: Argument): Promise<unknown> {
    return (resolvers[arg.kind] as (f: Frame, a: Argument) => Promise<unknown>)(this, arg);
  }

  callback(graph: ParsedGraph): Callback {
    const params = this.env.program.callbackParameters.get(graph) ?? [];
    this.env.invoker.callbackCreated?.(this.scope.values());
    return {
      kind: 'callback',
      graph,
      parameterNames: params.map((p) => p.name),
      call: (given, signal) => {
        const values: Record<string, unknown> = {};
        for (const p of params) values[p.name] = p.name in given ? given[p.name] : (p.default ?? null);
        for (const [k, v] of Object.entries(given)) if (!(k in values)) values[k] = v;
        return new Frame(this.env, graph, this.scope.extend(values), this.depth + 1, signal, this.path, true).run();
      },
    };
  }

  parameter(name: string): unknown {
    return this.scope.get(name);
  }
}

type Resolvers = { [K in ArgumentKind]: (frame: Frame, arg: Extract<Argument, { kind: K }>) => Promise<unknown> };

const resolvers: Resolvers = {
  value: async (_f, arg) => arg.value,
  from_node: (f, arg) => f.node(arg.node),
  from_parameter: async (f, arg) => f.parameter(arg.name),
  callback: async (f, arg) => f.callback(arg.graph),
  array: (f, arg) => Promise.all(arg.items.map((item) => f.resolve(item))),
  object: async (f, arg) => {
    const keys = Object.keys(arg.entries);
    const values = await Promise.all(keys.map((k) => f.resolve(arg.entries[k])));
    return Object.fromEntries(keys.map((k, i) => [k, values[i]]));
  },
};
