/**
 * Callbacks as functions of one pixel's parameters, run with the process implementations. Each callback is
 * validated once against the scalar and array processes; a straight line of synchronous processes (nested callbacks
 * included) then runs as one synchronous function, about a microsecond per pixel and node, and anything else (lazy
 * processes such as `if`, asynchronous ones) through the process graph interpreter, several times slower.
 */
import { OpenEOError } from '../errors.ts';
import { createProcessArgs, DEFAULT_PROCESS_LIMITS, evaluateProgram, nodeReferences, validateProcessGraph, type Argument, type Callback, type ParameterSpec, type ParsedGraph, type ProcessDefinition, type ProcessLimits, type ProcessServices, type Program } from '../process-graph/index.ts';
import { createProcessRegistry, scalarProcesses, type ProcessRegistry } from '../processes/index.ts';
import type { CallbackSpec } from './types.ts';

/** Synchronous when the callback is a straight line of processes that answer synchronously (the common case). */
export type PixelCall = (params: Record<string, unknown>) => unknown;

/** Validates callbacks once each and calls them per pixel. One per kernel provider (per worker). */
export interface Interpreter {
  /** The callback as a function of its parameters (`context` is added from the callback spec). */
  prepare(cb: CallbackSpec, what: string): Promise<PixelCall>;
}

export function createInterpreter(
  limits: ProcessLimits = DEFAULT_PROCESS_LIMITS,
  registry: ProcessRegistry = createProcessRegistry(scalarProcesses()),
): Interpreter {
  const programs = new WeakMap<CallbackSpec, Promise<Program>>();
  const validate = async (cb: CallbackSpec, what: string): Promise<Program> => {
    const names = new Set([...cb.parameterNames, 'context']);
    const parameters: ParameterSpec[] = [...names].map((name) => ({ name, description: name, schema: {}, optional: true, default: null }));
    const { program, errors } = await validateProcessGraph(cb.graph, { processes: registry, schemas: registry.schemas, parameters });
    if (!program) {
      throw new OpenEOError('FeatureUnsupported', `The ${what} callback cannot be computed on rasters: ${errors.map((e) => e.message).join(' ')}`);
    }
    return program;
  };
  const never = new AbortController().signal;
  return {
    prepare(cb, what) {
      let p = programs.get(cb);
      if (!p) programs.set(cb, (p = validate(cb, what)));
      const context = cb.context ?? null;
      const call = p.then((program): PixelCall => {
        const evaluate: PixelCall = (params) => evaluateProgram(program, { signal: never, limits, arguments: { context, ...params } });
        const line = straightLine(program, never, limits);
        if (!line) return evaluate;
        // a process that answered asynchronously once will again: the interpreter takes over for the run
        let sync = true;
        return (params) => {
          const r = sync ? line({ context, ...params }) : NOT_SYNC;
          if (r !== NOT_SYNC) return r;
          sync = false;
          return evaluate(params);
        };
      });
      // a kernel that is never run must not leave an unhandled rejection behind; those that run see the error
      call.catch(() => undefined);
      return call;
    },
  };
}

const NOT_SYNC = Symbol('not synchronous');

/** Thrown out of a nested callback's `callSync` when one of its processes answered asynchronously. */
class NotSync extends Error {}

/**
 * The program as one synchronous function when every node calls a predefined process without lazy parameters, and
 * nested callbacks are such programs too: nodes run in dependency order without the interpreter's promise per node
 * (about ten times faster per pixel). Answers NOT_SYNC for a pixel where a process answered asynchronously (the
 * caller then uses the interpreter).
 */
function straightLine(program: Program, signal: AbortSignal, limits: ProcessLimits): ((params: Record<string, unknown>) => unknown) | undefined {
  const line = lineOf(program, program.graph, signal, limits);
  if (!line) return undefined;
  return (params) => {
    try {
      return line(params);
    } catch (e) {
      if (e instanceof NotSync) return NOT_SYNC;
      throw e;
    }
  };
}

/** One graph (the program's or a nested callback's) as a synchronous function; throws NotSync where it cannot be. */
function lineOf(program: Program, graph: ParsedGraph, signal: AbortSignal, limits: ProcessLimits): ((params: Record<string, unknown>) => unknown) | undefined {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    nodeReferences(graph.nodes.get(id)!).forEach(visit);
    order.push(id);
  };
  graph.nodes.forEach((_, id) => visit(id));
  const index = new Map(order.map((id, k) => [id, k]));
  const steps: { def: ProcessDefinition; names: string[]; args: Getter[] }[] = [];
  for (const id of order) {
    const node = graph.nodes.get(id)!;
    const target = program.targets.get(node);
    if (target?.kind !== 'process' || target.def.lazy?.length) return undefined;
    const args = Object.values(node.args).map((a) => getter(a, index, program, signal, limits));
    if (args.some((g) => g === undefined)) return undefined;
    steps.push({ def: target.def, names: Object.keys(node.args), args: args as Getter[] });
  }
  const ctx = { signal, services: {} as ProcessServices, limits };
  const result = index.get(graph.resultId)!;
  return (params) => {
    const values = new Array<unknown>(steps.length);
    for (let s = 0; s < steps.length; s++) {
      const step = steps[s];
      const given = new Map<string, unknown>();
      for (let k = 0; k < step.names.length; k++) given.set(step.names[k], step.args[k](values, params));
      const r = step.def.run(createProcessArgs(step.def.spec, given), ctx);
      if (r instanceof Promise) {
        r.catch(() => undefined);
        throw new NotSync();
      }
      values[s] = r;
    }
    return values[result];
  };
}

/** An argument's value from the results of the nodes before it (by position) and the callback's parameters. */
type Getter = (values: readonly unknown[], params: Record<string, unknown>) => unknown;

/** How an argument is computed, or undefined when it holds a callback that cannot run synchronously. */
function getter(a: Argument, index: ReadonlyMap<string, number>, program: Program, signal: AbortSignal, limits: ProcessLimits): Getter | undefined {
  switch (a.kind) {
    case 'value': {
      const v = a.value;
      return () => v;
    }
    case 'from_node': {
      const k = index.get(a.node)!;
      return (values) => values[k];
    }
    case 'from_parameter': {
      const name = a.name;
      return (_values, params) => params[name] ?? null;
    }
    case 'array': {
      const items = a.items.map((item) => getter(item, index, program, signal, limits));
      if (items.some((g) => g === undefined)) return undefined;
      return (values, params) => (items as Getter[]).map((g) => g(values, params));
    }
    case 'object': {
      const entries = Object.entries(a.entries).map(([k, v]) => [k, getter(v, index, program, signal, limits)] as const);
      if (entries.some(([, g]) => g === undefined)) return undefined;
      return (values, params) => Object.fromEntries(entries.map(([k, g]) => [k, g!(values, params)]));
    }
    case 'callback': {
      const line = lineOf(program, a.graph, signal, limits);
      if (!line) return undefined;
      const declared = program.callbackParameters.get(a.graph) ?? [];
      const graph = a.graph;
      // the callback sees its own parameters first, then those of the graphs around it (as the interpreter's scopes)
      return (_values, outer) => {
        const callSync = (given: Readonly<Record<string, unknown>>) => {
          const params = Object.create(outer) as Record<string, unknown>;
          for (const p of declared) params[p.name] = p.name in given ? given[p.name] : (p.default ?? null);
          return line(Object.assign(params, given));
        };
        const callback: Callback = { kind: 'callback', graph, parameterNames: declared.map((p) => p.name), call: async (given) => callSync(given), callSync };
        return callback;
      };
    }
  }
}
