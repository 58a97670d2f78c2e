/**
 * The dry run: walks a validated program like the interpreter does, but instead of running processes it calls
 * their `plan` hooks, which see their arguments (constants, and the planning values of upstream nodes) and record
 * what they need in a caller-defined plan object (e.g. load_collection adds its collection, extent and bands;
 * filter_bbox narrows the planning value it receives). Processes without a hook contribute nothing and yield
 * `undefined`; all their arguments, lazy ones included, are still visited so that nothing upstream is missed.
 * Callbacks are not called: what happens inside them is invisible to the dry run, and `opaque` is told about every
 * value such a process or callback receives, so that a plan can treat those values as used without restriction.
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
  /**
   * Called with the argument values of each process that has no plan hook, and with the parameter values a callback
   * can read from its surrounding scopes: uses the dry run cannot see into.
   */
  opaque?: (values: readonly unknown[], plan: P) => void;
}

/** Runs the dry run and returns the plan object (mutated by the hooks) together with the result's planning value. */
export async function planGraph<P>(program: Program, options: PlanOptions<P>): Promise<{ plan: P; result: unknown }> {
  const { opaque, plan } = options;
  const invoker: Invoker = {
    eagerOnly: true,
    invoke: (def, args, signal, path) => {
      if (def.plan) return def.plan(args, { signal, plan, path });
      opaque?.(def.spec.parameters.filter((p) => args.has(p.name)).map((p) => args.get(p.name)), plan);
      return undefined;
    },
    callbackCreated: opaque && ((visible) => opaque(visible, plan)),
  };
  const result = await runProgram(program, invoker, options);
  return { plan: options.plan, result };
}
