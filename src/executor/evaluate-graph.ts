import { evaluateProgram } from '../process-graph/index.ts';
import type { SaveRequest } from '../processes/cube/index.ts';
import type { GraphJobExecutorDeps } from './job-executor.ts';

/**
 * Validates a process for its owner and evaluates it: the value of the result node and the save_result requests
 * collected on the way (cube plans, no pixels read yet). Shared by batch jobs, sync processing and estimates.
 */
export async function evaluateGraph(
  deps: GraphJobExecutorDeps,
  process: unknown,
  userId: string,
  signal: AbortSignal,
): Promise<{ value: unknown; saved: SaveRequest[] }> {
  const { program, errors } = await deps.validator.check(process, userId, signal);
  if (!program) throw errors[0];
  const cubes = deps.cubeServices();
  const value = await evaluateProgram(program, { signal, services: { cubes }, maxDepth: deps.maxDepth });
  return { value, saved: cubes.saved };
}
