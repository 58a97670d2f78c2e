import { evaluateProgram, type ProcessLimits } from '../process-graph/index.ts';
import { planLoadNarrowing, type CubeServices, type SaveRequest } from '../processes/cube/index.ts';
import type { ProcessValidator } from './validate-process.ts';

/** What evaluating a process needs. */
export interface GraphDeps {
  validator: ProcessValidator;
  /** Fresh services per evaluation (save_result requests are collected per run). */
  cubeServices(): CubeServices;
  /** Bounds nested user-defined process calls at run time (a cycle of stored processes would never end). */
  maxDepth: number;
  /** What one process call may allocate (arrays); also bounds the values of a JSON result. */
  processLimits: ProcessLimits;
}

/**
 * Validates a process for its owner and evaluates it: the value of the result node and the save_result requests
 * collected on the way (cube plans, no pixels read yet). Shared by batch jobs, sync processing and estimates.
 */
export async function evaluateGraph(
  deps: GraphDeps,
  process: unknown,
  userId: string,
  signal: AbortSignal,
): Promise<{ value: unknown; saved: SaveRequest[] }> {
  const { program, errors } = await deps.validator.check(process, userId, signal);
  if (!program) throw errors[0];
  const cubes = deps.cubeServices();
  // The dry run first: each load then searches only the time range and bands its filters keep.
  cubes.narrowing = await planLoadNarrowing(program, cubes, signal, deps.maxDepth);
  // on the server's thread: other requests get their turn during a long evaluation
  const value = await evaluateProgram(program, { signal, services: { cubes }, maxDepth: deps.maxDepth, limits: deps.processLimits, yieldEvery: 500 });
  return { value, saved: cubes.saved };
}
