/** Shared set-up for the engine tests: the real scalar processes plus a few test processes defined here. */
import type { OpenEOError } from '../../src/errors.ts';
import { evaluateProgram } from '../../src/process-graph/evaluate.ts';
import type { ComplexityLimits, ProcessDefinition, UserProcessDef } from '../../src/process-graph/types.ts';
import { validateProcessGraph } from '../../src/process-graph/validate.ts';
import { createProcessRegistry, scalarProcesses } from '../../src/processes/index.ts';

/** Counts how often each test process ran, per registry. */
export function testRegistry(extra: ProcessDefinition[] = []) {
  return createProcessRegistry([...scalarProcesses(), ...extra]);
}

export const failing: ProcessDefinition = {
  spec: {
    id: 'fail_if_run',
    summary: 'Fails',
    description: 'Test process that fails whenever it runs, to prove that something was not evaluated.',
    categories: [],
    parameters: [],
    returns: { description: 'never', schema: {} },
  },
  run: () => {
    throw new Error('fail_if_run was evaluated');
  },
};

export function counting(counter: { n: number }): ProcessDefinition {
  return {
    spec: {
      id: 'count_runs',
      summary: 'Counts',
      description: 'Test process returning x and counting its runs.',
      categories: [],
      parameters: [{ name: 'x', description: 'x', schema: {} }],
      returns: { description: 'x', schema: {} },
    },
    run: (args) => {
      counter.n++;
      return args.get('x');
    },
  };
}

export interface RunOptions {
  extra?: ProcessDefinition[];
  udps?: Record<string, UserProcessDef>;
  limits?: ComplexityLimits;
  arguments?: Record<string, unknown>;
  parameters?: UserProcessDef['parameters'];
  signal?: AbortSignal;
  yieldEvery?: number;
}

export async function validate(graph: unknown, o: RunOptions = {}) {
  const registry = testRegistry(o.extra);
  return validateProcessGraph(graph, {
    processes: registry,
    schemas: registry.schemas,
    userProcesses: o.udps ? async (id, ns) => (ns === 'backend' ? undefined : o.udps![id]) : undefined,
    limits: o.limits,
    parameters: o.parameters ?? [],
  });
}

export async function errorsOf(graph: unknown, o: RunOptions = {}): Promise<OpenEOError[]> {
  return (await validate(graph, o)).errors;
}

export async function run(graph: unknown, o: RunOptions = {}): Promise<unknown> {
  const { program, errors } = await validate(graph, o);
  if (!program) throw errors[0];
  return evaluateProgram(program, {
    signal: o.signal ?? AbortSignal.timeout(10_000),
    arguments: o.arguments,
    maxDepth: o.limits?.maxDepth,
    yieldEvery: o.yieldEvery,
  });
}

/** Builds {id: {process_id, arguments}} with the last node as result. */
export function chain(...nodes: [id: string, processId: string, args: Record<string, unknown>][]) {
  return Object.fromEntries(
    nodes.map(([id, process_id, args], i) => [id, { process_id, arguments: args, ...(i === nodes.length - 1 ? { result: true } : {}) }]),
  );
}
