/**
 * The dry run: walks a validated program like the interpreter does, but instead of running processes it calls
 * their `plan` hooks, which see their arguments (constants, and the planning values of upstream nodes) and record
 * what they need in a caller-defined plan object (e.g. load_collection adds its collection, extent and bands;
 * filter_bbox narrows the planning value it receives). Processes without a hook contribute nothing and yield
 * `undefined`; all their arguments, lazy ones included, are still visited so that nothing upstream is missed.
 */
import { runProgram, type Invoker } from './evaluate.ts';
import type { Program } from './program.ts';

export interface PlanOptions<P> {
  /** The plan object handed to every hook. */
  plan: P;
  signal: AbortSignal;
  /** Values for top-level parameters (defaults otherwise). */
  arguments?: Readonly<Record<string, unknown>>;
  maxDepth?: number;
}

/** Runs the dry run and returns the plan object (mutated by the hooks) together with the result's planning value. */
export async function planGraph<P>(program: Program, options: PlanOptions<P>): Promise<{ plan: P; result: unknown }> {
  const invoker: Invoker = {
    eagerOnly: true,
    invoke: (def, args, signal, path) => def.plan?.(args, { signal, plan: options.plan, path }),
  };
  const result = await runProgram(program, invoker, options);
  return { plan: options.plan, result };
}
