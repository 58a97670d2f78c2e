/**
 * Validation before anything runs: resolves every process (predefined or user-defined), checks argument names,
 * required parameters, constant values against the parameter schemas, parameter references against the scope, and
 * the complexity limits. Collects all errors instead of stopping at the first.
 */
import type { OpenEOError } from '../errors.ts';
import {
  graphInvalid,
  graphTooComplex,
  parameterInvalid,
  parameterRequired,
  parameterUnsupported,
  processUnsupported,
} from './errors.ts';
import { parseProcessGraph } from './parse.ts';
import type { Program, Target, UserProgram } from './program.ts';
import { callbackParameters, type SchemaChecker } from './schema.ts';
import { NameScope } from './scope.ts';
import type {
  Argument,
  ComplexityLimits,
  ParameterSpec,
  ParsedGraph,
  ParsedNode,
  ProcessResolver,
  UserProcessLookup,
} from './types.ts';

export interface ValidateOptions {
  processes: ProcessResolver;
  schemas: SchemaChecker;
  /** Finds user-defined processes; without it only predefined processes resolve. */
  userProcesses?: UserProcessLookup;
  /** Declared parameters of the top-level graph; references to anything else are errors. */
  parameters?: readonly ParameterSpec[];
  limits?: ComplexityLimits;
  signal?: AbortSignal;
  /**
   * References to parameters defined nowhere are no error (POST /validation: the API says it must not fail on
   * unresolvable process parameters, as a graph may be checked before it is stored with its parameters).
   */
  allowUnresolvedParameters?: boolean;
}

export interface ValidationResult {
  /** Present only when there are no errors. */
  program?: Program;
  errors: OpenEOError[];
}

const isRequired = (p: ParameterSpec) => p.optional !== true && p.default === undefined;

export async function validateProcessGraph(def: unknown, options: ValidateOptions): Promise<ValidationResult> {
  const errors: OpenEOError[] = [];
  const graph = parseProcessGraph(def, errors);
  const parameters = options.parameters ?? [];
  const checker = new Checker(options, errors);
  await checker.checkGraph(graph, new NameScope(parameters.map((p) => p.name)), 0, 'the process graph');
  await checker.drain();
  if (errors.length > 0) return { errors };
  return {
    errors,
    program: { graph, parameters, targets: checker.targets, callbackParameters: checker.callbackParameters },
  };
}

class Checker {
  readonly targets = new Map<ParsedNode, Target>();
  readonly callbackParameters = new Map<ParsedGraph, readonly ParameterSpec[]>();
  readonly #userPrograms = new Map<string, Promise<UserProgram | undefined>>();
  #nodeCount = 0;
  #complexityReported = false;

  constructor(
    private readonly options: ValidateOptions,
    private readonly errors: OpenEOError[],
  ) {}

  /** Returns false once a complexity limit is exceeded, so that huge graphs are not walked any further. */
  #withinLimits(graph: ParsedGraph, depth: number): boolean {
    if (this.#complexityReported) return false;
    const { maxNodes, maxDepth } = this.options.limits ?? {};
    this.#nodeCount += graph.nodes.size;
    let problem: string | undefined;
    if (maxNodes !== undefined && this.#nodeCount > maxNodes) problem = `more than ${maxNodes} process nodes.`;
    if (maxDepth !== undefined && depth > maxDepth) problem = `callbacks or process calls nested deeper than ${maxDepth}.`;
    if (!problem) return true;
    this.#complexityReported = true;
    this.errors.push(graphTooComplex(problem));
    return false;
  }

  async checkGraph(graph: ParsedGraph, names: NameScope, depth: number, where: string): Promise<void> {
    if (!this.#withinLimits(graph, depth)) return;
    for (const node of graph.nodes.values()) {
      this.options.signal?.throwIfAborted();
      const target = await this.#resolve(node, depth);
      if (!target) {
        this.errors.push(processUnsupported(node.processId, node.namespace, `node '${node.id}' in ${where}`));
        continue;
      }
      this.targets.set(node, target);
      const params = target.kind === 'process' ? target.def.spec.parameters : target.program.parameters;
      await this.#checkArguments(node, params, names, depth, where);
    }
  }

  async #checkArguments(
    node: ParsedNode,
    params: readonly ParameterSpec[] | null,
    names: NameScope,
    depth: number,
    where: string,
  ): Promise<void> {
    const pid = node.processId;
    const at = `node '${node.id}' in ${where}`;
    if (params) {
      for (const name of Object.keys(node.args)) {
        if (!params.some((p) => p.name === name)) this.errors.push(parameterUnsupported(pid, name, at));
      }
      for (const p of params) {
        if (isRequired(p) && !(p.name in node.args)) this.errors.push(parameterRequired(pid, p.name, at));
      }
    }
    for (const [name, arg] of Object.entries(node.args)) {
      const param = params?.find((p) => p.name === name);
      const ctx = `argument '${name}' of node '${node.id}' in ${where}`;
      if (arg.kind === 'value' && param) {
        const reason = this.options.schemas.check(param.schema, arg.value);
        if (reason) this.errors.push(parameterInvalid(pid, name, `${reason}.`, at));
      } else if (arg.kind === 'callback') {
        const cbParams = param ? callbackParameters(param.schema) : [];
        if (!cbParams) {
          this.errors.push(parameterInvalid(pid, name, 'a process graph (callback) is not accepted here.', at));
          continue;
        }
        await this.#checkCallback(arg.graph, cbParams, names, depth, `the callback in ${ctx}`);
      } else {
        await this.#checkNested(arg, names, depth, ctx);
      }
    }
  }

  async #checkCallback(
    graph: ParsedGraph,
    params: readonly ParameterSpec[],
    names: NameScope,
    depth: number,
    where: string,
  ): Promise<void> {
    this.callbackParameters.set(graph, params);
    await this.checkGraph(graph, new NameScope(params.map((p) => p.name), names), depth + 1, where);
  }

  /** Parameter references and callbacks nested in arrays and objects. */
  async #checkNested(arg: Argument, names: NameScope, depth: number, ctx: string): Promise<void> {
    switch (arg.kind) {
      case 'from_parameter':
        if (!names.has(arg.name) && !this.options.allowUnresolvedParameters) {
          const known = names.all();
          this.errors.push(
            graphInvalid(
              `${ctx} refers to parameter '${arg.name}', which is not defined here` +
                (known.length ? ` (defined: ${known.map((n) => `'${n}'`).join(', ')}).` : ' (no parameters are defined).'),
            ),
          );
        }
        return;
      case 'callback':
        return this.#checkCallback(arg.graph, [], names, depth, `a callback nested in ${ctx}`);
      case 'array':
        for (const item of arg.items) await this.#checkNested(item, names, depth, ctx);
        return;
      case 'object':
        for (const item of Object.values(arg.entries)) await this.#checkNested(item, names, depth, ctx);
        return;
      case 'value':
      case 'from_node':
        return;
    }
  }

  async #resolve(node: ParsedNode, depth: number): Promise<Target | undefined> {
    const { processes, userProcesses } = this.options;
    const ns = node.namespace;
    if (ns !== null && ns !== 'backend' && ns !== 'user') return undefined;
    // Per the API, namespace null prefers a user-defined process over a predefined one with the same id.
    if (ns !== 'backend' && userProcesses) {
      const program = await this.#userProgram(node.processId, ns, depth);
      if (program) return { kind: 'user', program };
    }
    if (ns === 'user') return undefined;
    const def = processes.get(node.processId);
    return def ? { kind: 'process', def } : undefined;
  }

  /** Each user-defined process is looked up and checked once; recursion reuses the entry being built. */
  #userProgram(id: string, ns: string | null, depth: number): Promise<UserProgram | undefined> {
    const key = `${ns ?? ''}\u0000${id}`;
    let entry = this.#userPrograms.get(key);
    if (!entry) {
      entry = this.#loadUserProgram(id, ns, depth);
      this.#userPrograms.set(key, entry);
    }
    return entry;
  }

  async #loadUserProgram(id: string, ns: string | null, depth: number): Promise<UserProgram | undefined> {
    const stored = await this.options.userProcesses!(id, ns);
    if (!stored) return undefined;
    const where = `the user-defined process '${id}'`;
    const graph = parseProcessGraph(stored.process_graph, this.errors, where);
    const parameters = stored.parameters ?? null;
    const program: UserProgram = { id, namespace: ns, parameters, graph };
    // Not awaited here: a recursive call must find this entry resolved; `drain` waits for the check.
    this.#pending.push(
      this.checkGraph(graph, new NameScope((parameters ?? []).map((p) => p.name)), depth + 1, where),
    );
    return program;
  }

  readonly #pending: Promise<void>[] = [];

  /** Waits for the checks of user-defined process bodies (which may discover further ones). */
  async drain(): Promise<void> {
    while (this.#pending.length > 0) await this.#pending.shift();
  }
}
