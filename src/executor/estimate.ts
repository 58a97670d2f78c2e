/**
 * GET /jobs/{id}/estimate: a dry run of the graph (catalog searches included, no pixels read) gives the output
 * grids; from them, the values written, a size bound and a duration from the measured throughput.
 */
import type { JobRow } from '../db/schema.ts';
import type { CubeNode } from '../datacube/types.ts';
import { OpenEOError } from '../errors.ts';
import { evaluateGraph, type GraphDeps } from './evaluate-graph.ts';
import { outputPlan } from './output-plan.ts';

/** Input values of the loads under a node: grid pixels x time steps x bands. */
function inputValues(node: CubeNode): number {
  switch (node.op) {
    case 'load':
      return node.grid.width * node.grid.height * node.steps.length * node.bands.length;
    case 'merge':
      return inputValues(node.a) + inputValues(node.b);
    case 'mask':
      return inputValues(node.input) + inputValues(node.mask);
    default:
      return inputValues(node.input);
  }
}

const BYTES: Record<string, number> = { uint8: 1, int8: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, float32: 4, float64: 8 };

/** Conservative processing rate in input values per second and core (see `npm run bench`). */
const VALUES_PER_SECOND = 40e6;

export async function estimateJob(deps: GraphDeps, job: JobRow, cores: number): Promise<Record<string, unknown>> {
  const signal = AbortSignal.timeout(60_000);
  const cubes = await evaluateGraph(deps, job.process, job.user_id, signal);
  if (cubes.saved.length === 0) return { costs: 0, duration: 'PT1S', size: 64, downloads_included: null };
  let size = 0;
  let inputs = 0;
  for (const save of cubes.saved) {
    const plan = outputPlan(save);
    const values = plan.grid.width * plan.grid.height * plan.variables.length * (plan.time?.length ?? 1);
    // Uncompressed output: compression only makes the files smaller.
    size += values * (BYTES[plan.variables[0]?.dtype ?? 'float32'] ?? 4);
    inputs += inputValues(plan.node);
  }
  if (!Number.isFinite(size)) throw new OpenEOError('EstimateComplexity', 'The process is too complex to calculate an estimate.');
  const seconds = Math.max(1, Math.ceil(inputs / (VALUES_PER_SECOND * Math.max(1, cores))));
  return {
    costs: 0,
    duration: `PT${seconds}S`,
    size: Math.ceil(size),
    downloads_included: null,
    expires: new Date(Date.now() + 24 * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}
