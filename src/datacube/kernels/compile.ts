/**
 * Compiles a per-pixel callback (apply's `x`, a reducer over `bands` reading `data`, merge_cubes' `x`/`y`) into a
 * kernel over Planes, or returns undefined when the graph uses something the kernels do not cover, so that the
 * caller falls back to the interpreter.
 *
 * Nodes whose arguments are all constants are folded by calling the scalar process itself; everything else becomes
 * IR (rules.ts) and then one generated loop (codegen.ts).
 */
import { createProcessArgs } from '../../process-graph/args.ts';
import { DEFAULT_PROCESS_LIMITS } from '../../process-graph/limits.ts';
import type { Argument, ParsedGraph, ProcessDefinition, ProcessLimits } from '../../process-graph/types.ts';
import { scalarProcesses } from '../../processes/index.ts';
import type { Label } from '../../processes/labeled-array.ts';
import { buildKernel, type PlaneKernel } from './codegen.ts';
import { IrBuilder, isConst, listItems, Unsupported, unsupported, type CValue } from './compile-values.ts';
import type { ValueType } from './ir.ts';
import { RULES } from './rules.ts';

export interface CompileOptions {
  /**
   * Labels of the band array bound to `data` (reduce_dimension over bands): `data` is then an array of that many
   * planes, passed to `run` as `{ data: planes }`, and `array_element` may pick them by label.
   */
  labels?: readonly Label[];
  /** Value of the `context` parameter (default null). */
  context?: unknown;
  /** Values of other parameters visible to the callback (e.g. those of an enclosing user-defined process). */
  parameters?: Readonly<Record<string, unknown>>;
  /**
   * Value type of the plane parameters (default 'number'); boolean planes hold 0/1 (any non-zero reads as true).
   * `x`, `y` and `data` are planes anyway; other parameters named here are planes too.
   */
  types?: Readonly<Record<string, ValueType>>;
  /** 'fused' (default): one loop for the whole graph. 'nodes': one loop per node into whole-plane buffers (for comparison). */
  mode?: 'fused' | 'nodes';
  /**
   * `run` without `out` writes into buffers the kernel keeps and overwrites on the next run (no allocation per time
   * step) instead of new ones. Only safe when each result is consumed before the next run.
   */
  reuseOutput?: boolean;
  /** Told why a graph is not compiled (for logs). */
  onUnsupported?: (reason: string) => void;
  /** Bounds the processes folded on constant arguments (an array_create of constants runs here); default DEFAULT_PROCESS_LIMITS. */
  limits?: ProcessLimits;
}

/** Parameters that carry planes; any other parameter is a constant from the options. */
const PLANE_PARAMETERS = new Set(['x', 'y', 'data']);

export function compileCallback(graph: ParsedGraph, parameterNames: readonly string[], opts: CompileOptions = {}): PlaneKernel | undefined {
  return attempt(opts, () => {
    const { ir, result, slots } = lower(graph, parameterNames, opts);
    if (result.k === 'list') unsupported('the callback returns an array');
    return buildKernel(ir.nodes, result, slots, opts.mode ?? 'fused', opts.reuseOutput ?? false);
  });
}

/**
 * A callback that returns an array computed per pixel (e.g. `subtract(data, mean(data))` in apply_dimension): one
 * kernel per element. Undefined when the result is not an array or anything else is not compiled. Each kernel
 * recomputes what its element needs (a series mean once per element), still far cheaper than interpreting.
 */
/** Elements of an array result compiled as one kernel each (compileArrayCallback). */
export const MAX_ELEMENT_KERNELS = 64;

export function compileArrayCallback(graph: ParsedGraph, parameterNames: readonly string[], opts: CompileOptions = {}): PlaneKernel[] | undefined {
  return attempt(opts, () => {
    const { ir, result, slots } = lower(graph, parameterNames, opts);
    if (result.k !== 'list' || result.items.length === 0) return unsupported('the callback does not return an array computed per pixel');
    // each kernel repeats the shared work over the whole series: beyond this, generating and running them costs more
    // than interpreting (measured, x - mean(x) on 64x64 pixels: 128 steps ~20 s first chunk, ~9 s later ones, vs ~1.2 s)
    if (result.items.length > MAX_ELEMENT_KERNELS) return unsupported(`the callback returns ${result.items.length} values per pixel (compiled up to ${MAX_ELEMENT_KERNELS})`);
    return result.items.map((item) => {
      if (item.k === 'list') unsupported('the callback returns nested arrays');
      checkScalarResult(item);
      return buildKernel(ir.nodes, item, slots, opts.mode ?? 'fused', opts.reuseOutput ?? false);
    });
  });
}

function attempt<T>(opts: CompileOptions, make: () => T): T | undefined {
  try {
    return make();
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
    opts.onUnsupported?.(e.message);
    return undefined;
  }
}

function checkScalarResult(result: CValue): void {
  if (result.k === 'const' && result.value !== null && typeof result.value !== 'number' && typeof result.value !== 'boolean') {
    unsupported(`the callback returns a constant ${typeof result.value}`);
  }
}

/** The callback as IR: its result value, the IR nodes it needs and the plane inputs. */
function lower(graph: ParsedGraph, parameterNames: readonly string[], opts: CompileOptions): { ir: IrBuilder; result: CValue; slots: { parameter: string; index: number }[] } {
  const ir = new IrBuilder();
  const slots: { parameter: string; index: number }[] = [];
  const params = new Map<string, CValue>();
  const bind = (parameter: string, index: number, type: ValueType): CValue => {
    slots.push({ parameter, index });
    return { k: 'plane', ref: ir.push({ op: 'input', slot: slots.length - 1, type }), type };
  };
  for (const name of parameterNames) {
    const type = opts.types?.[name] ?? 'number';
    if (name === 'data' && opts.labels) {
      params.set(name, { k: 'list', items: opts.labels.map((_, i) => bind(name, i, type)), labels: opts.labels });
    } else if (name === 'data') {
      unsupported("parameter 'data' needs the band labels");
    } else if (PLANE_PARAMETERS.has(name) || opts.types?.[name]) {
      params.set(name, bind(name, -1, type));
    } else if (name === 'context') {
      params.set(name, { k: 'const', value: opts.context ?? null });
    } else if (opts.parameters && name in opts.parameters) {
      params.set(name, { k: 'const', value: opts.parameters[name] });
    } else unsupported(`parameter '${name}' has no value`);
  }
  for (const [name, value] of Object.entries(opts.parameters ?? {})) {
    if (!params.has(name)) params.set(name, { k: 'const', value });
  }

  const definitions = new Map<string, ProcessDefinition>(scalarProcesses().map((d) => [d.spec.id, d]));
  const values = new Map<string, CValue>();
  const visiting = new Set<string>();

  const argument = (a: Argument): CValue => {
    switch (a.kind) {
      case 'value':
        return { k: 'const', value: a.value };
      case 'from_node':
        return node(a.node);
      case 'from_parameter':
        return params.get(a.name) ?? unsupported(`parameter '${a.name}' is not available`);
      case 'array': {
        const items = a.items.map(argument);
        return items.every(isConst) ? { k: 'const', value: items.map((i) => i.value) } : { k: 'list', items };
      }
      case 'object':
        return unsupported('an object argument with references');
      case 'callback':
        return unsupported('a nested callback');
    }
  };

  const node = (id: string): CValue => {
    const done = values.get(id);
    if (done) return done;
    if (visiting.has(id)) unsupported('a cycle');
    visiting.add(id);
    const n = graph.nodes.get(id) ?? unsupported(`node '${id}' does not exist`);
    if (n.namespace !== null) unsupported(`process '${n.processId}' from namespace '${n.namespace}'`);
    const args: Record<string, CValue> = {};
    for (const [name, a] of Object.entries(n.args)) args[name] = argument(a);
    const def = definitions.get(n.processId);
    const rule = RULES[n.processId];
    const one = (a: Readonly<Record<string, CValue>>): CValue => (def && fold(def, a, opts.limits ?? DEFAULT_PROCESS_LIMITS)) ?? (rule ?? unsupported(`process '${n.processId}'`))(a, ir);
    const value = (def?.elementwise && perElement(def.elementwise, args, one)) ?? one(args);
    values.set(id, value);
    return value;
  };

  // Every end node runs in openEO; ours cannot fail per pixel, so the others only need to be supported.
  for (const id of graph.endNodes) node(id);
  const result = node(graph.resultId);
  if (result.k !== 'list') checkScalarResult(result);
  return { ir, result, slots };
}

/**
 * An elementwise process (processes/elementwise.ts) with an array among those operands: the operation per element,
 * as a list. Undefined when no such operand is an array (and not all operands are constants: those are folded).
 */
function perElement(names: readonly string[], args: Readonly<Record<string, CValue>>, one: (a: Readonly<Record<string, CValue>>) => CValue): CValue | undefined {
  if (Object.values(args).every(isConst)) return undefined;
  const arrays = names.filter((n) => args[n] && (args[n].k === 'list' || (args[n].k === 'const' && Array.isArray(args[n].value))));
  if (arrays.length === 0) return undefined;
  const items = arrays.map((n) => listItems(args[n]));
  const length = items[0].length;
  // the interpreter reports the mismatch with the process and parameter named
  if (items.some((i) => i.length !== length)) return unsupported('arrays of different lengths in an elementwise operation');
  const labels = arrays.map((n) => args[n]).find((v) => v.k === 'list' && v.labels);
  return {
    k: 'list',
    items: Array.from({ length }, (_, i) => one({ ...args, ...Object.fromEntries(arrays.map((n, j) => [n, items[j][i]])) })),
    ...(labels?.k === 'list' ? { labels: labels.labels } : {}),
  };
}

/** Runs the scalar process when all arguments are constants; undefined when it cannot be folded synchronously. */
function fold(def: ProcessDefinition, args: Readonly<Record<string, CValue>>, limits: ProcessLimits): CValue | undefined {
  const given = new Map<string, unknown>();
  for (const [name, v] of Object.entries(args)) {
    if (v.k !== 'const') return undefined;
    given.set(name, v.value);
  }
  let value: unknown;
  try {
    value = def.run(createProcessArgs(def.spec, given), { signal: new AbortController().signal, services: {}, limits });
  } catch (e) {
    return unsupported(`'${def.spec.id}' fails on its constant arguments: ${(e as Error).message}`);
  }
  if (value instanceof Promise) {
    value.catch(() => undefined); // lazy processes (and, or, if, count) go through the IR instead
    return undefined;
  }
  return { k: 'const', value };
}
