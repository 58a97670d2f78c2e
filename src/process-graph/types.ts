/**
 * Types shared by the process graph engine and the process implementations.
 *
 * Three layers: the JSON a client sends (`*Def`), the parsed graph with tagged-union arguments, and the process
 * definitions (spec + implementation) the engine calls. Processes live in src/processes/ and depend on this module,
 * never the other way round.
 */

// ---------------------------------------------------------------------------------------------- wire format (JSON)

export interface ProcessNodeDef {
  process_id: string;
  namespace?: string | null;
  arguments?: Record<string, unknown>;
  result?: boolean;
  description?: string | null;
}

export type ProcessGraphDef = Record<string, ProcessNodeDef>;

/** A JSON schema as used by openEO (may carry `subtype`, `parameters`, `returns`, … as annotations). */
export type JsonSchema = Record<string, unknown>;

/** openEO allows a single schema or a list of alternatives. */
export type ParameterSchema = JsonSchema | readonly JsonSchema[];

export interface ParameterSpec {
  name: string;
  description: string;
  schema: ParameterSchema;
  optional?: boolean;
  default?: unknown;
  deprecated?: boolean;
  experimental?: boolean;
}

export interface ReturnSpec {
  description: string;
  schema: ParameterSchema;
}

export interface ProcessSpec {
  id: string;
  summary: string;
  description: string;
  categories: readonly string[];
  parameters: readonly ParameterSpec[];
  returns: ReturnSpec;
  exceptions?: Readonly<Record<string, { message: string; description?: string; http?: number }>>;
  experimental?: boolean;
  deprecated?: boolean;
}

/** A user-defined process as stored under /process_graphs (only what execution needs). */
export interface UserProcessDef {
  id?: string;
  parameters?: readonly ParameterSpec[] | null;
  process_graph: ProcessGraphDef;
  returns?: ReturnSpec | null;
}

/** Finds a user-defined process; `namespace` is the node's namespace (null or 'user'). */
export type UserProcessLookup = (id: string, namespace: string | null) => Promise<UserProcessDef | undefined>;

// ---------------------------------------------------------------------------------------------- parsed graph

/** A fully constant argument (may be an array or object without references inside). */
export interface ValueArg { kind: 'value'; value: unknown }
export interface FromNodeArg { kind: 'from_node'; node: string }
export interface FromParameterArg { kind: 'from_parameter'; name: string }
export interface CallbackArg { kind: 'callback'; graph: ParsedGraph }
/** An array with at least one reference or callback somewhere inside. */
export interface ArrayArg { kind: 'array'; items: readonly Argument[] }
/** An object with at least one reference or callback somewhere inside. */
export interface ObjectArg { kind: 'object'; entries: Readonly<Record<string, Argument>> }

export type Argument = ValueArg | FromNodeArg | FromParameterArg | CallbackArg | ArrayArg | ObjectArg;
export type ArgumentKind = Argument['kind'];

export interface ParsedNode {
  id: string;
  processId: string;
  namespace: string | null;
  args: Readonly<Record<string, Argument>>;
  isResult: boolean;
}

export interface ParsedGraph {
  nodes: ReadonlyMap<string, ParsedNode>;
  /** Id of the result node; '' only when the graph is invalid (parse reported an error). */
  resultId: string;
  /** Nodes that no other node consumes; all of them run (openEO semantics), the result node gives the value. */
  endNodes: readonly string[];
}

// ---------------------------------------------------------------------------------------------- runtime contracts

/**
 * Services the interpreter hands to every process (catalog, logger, …). Other modules add members with declaration
 * merging (`declare module '../process-graph/types.ts' { interface ProcessServices { catalog: Catalog } }`), so the
 * engine stays generic and still type-checked.
 */
export interface ProcessServices {}

/** Bounds on what one process call may allocate, from the config (`Limits`). */
export interface ProcessLimits {
  /** Most elements an array made by a process may have (LIMIT_ARRAY_ELEMENTS). */
  readonly arrayElements: number;
}

export interface ProcessContext {
  readonly signal: AbortSignal;
  readonly services: ProcessServices;
  /** Checked before a process allocates anything that its arguments, not its inputs' sizes, make large. */
  readonly limits: ProcessLimits;
  /**
   * Node ids from the top-level graph to this call, through user-defined process calls, as the dry run saw it
   * (`PlanContext.path`). Absent inside callbacks: a callback runs many times, so its nodes have no single plan.
   */
  readonly path?: readonly string[];
}

/** A callback argument (`process_graph`) ready to be called with its parameters. */
export interface Callback {
  readonly kind: 'callback';
  /** The parsed callback graph, so that data cube processes can recognise simple reducers and use fast kernels. */
  readonly graph: ParsedGraph;
  /** Names of the parameters the process declares for this callback (e.g. x, y, data, context). */
  readonly parameterNames: readonly string[];
  call(parameters: Readonly<Record<string, unknown>>, signal: AbortSignal): Promise<unknown>;
  /**
   * The same call answered synchronously, offered where callbacks run per pixel: a process may use it instead of
   * `call` to stay synchronous. It may throw when the callback turns out not to be synchronous after all; the caller
   * then repeats the whole evaluation with `call`.
   */
  callSync?(parameters: Readonly<Record<string, unknown>>): unknown;
}

export interface ProcessArgs {
  readonly processId: string;
  /** Whether the argument was given (including an explicit null). */
  has(name: string): boolean;
  /** The value as given, or the spec default when absent; no type check. */
  get(name: string): unknown;
  number(name: string): number;
  numberOrNull(name: string): number | null;
  optionalNumber(name: string, fallback: number): number;
  integer(name: string): number;
  optionalInteger(name: string, fallback: number): number;
  boolean(name: string): boolean;
  booleanOrNull(name: string): boolean | null;
  optionalBoolean(name: string, fallback: boolean): boolean;
  string(name: string): string;
  optionalString(name: string, fallback: string): string;
  array(name: string): readonly unknown[];
  callback(name: string): Callback;
  optionalCallback(name: string): Callback | undefined;
  /** Evaluates a lazy argument (declared in `ProcessDefinition.lazy`) on demand; each at most once. */
  lazy(name: string): Promise<unknown>;
  /** Throws ProcessParameterInvalid naming process and parameter. */
  invalid(name: string, reason: string): never;
}

export type ProcessImplementation = (args: ProcessArgs, ctx: ProcessContext) => unknown;

/** Dry-run hook: receives the planning view of the arguments and returns the node's planning value. */
export type PlanHook<P = unknown> = (args: ProcessArgs, ctx: PlanContext<P>) => unknown;

export interface PlanContext<P = unknown> {
  readonly signal: AbortSignal;
  /** The plan being built; its shape belongs to the caller of `planGraph`. */
  readonly plan: P;
  /** Path of node ids from the top-level graph to this node (callbacks included), for diagnostics. */
  readonly path: readonly string[];
}

export interface ProcessDefinition {
  spec: ProcessSpec;
  run: ProcessImplementation;
  /** Parameters whose arguments are evaluated only when the implementation asks (`args.lazy`). */
  lazy?: readonly string[];
  /**
   * Parameters that take an array as well as a single value and are then computed element by element (see
   * processes/elementwise.ts); the kernel compiler maps such operations over its lists of planes.
   */
  elementwise?: readonly string[];
  /** Contribution to the dry run; processes without it yield `undefined` as their planning value. */
  plan?: PlanHook<any>;
}

export interface ProcessResolver {
  get(id: string): ProcessDefinition | undefined;
}

/** Limits checked during validation (and at run time for user-defined process recursion). */
export interface ComplexityLimits {
  /** Total process nodes, callbacks and user-defined process bodies included. */
  maxNodes?: number;
  /** Nesting depth of callbacks and user-defined process calls. */
  maxDepth?: number;
}
