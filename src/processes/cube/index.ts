/** The data cube processes; they build lazy cube plans that the chunked executor runs. */
import type { ProcessDefinition } from '../../process-graph/index.ts';
import { applyReduceProcesses } from './apply-reduce.ts';
import { combineProcesses } from './combine.ts';
import { dimensionProcesses } from './dimensions.ts';
import { filterProcesses } from './filters.ts';
import { loadProcesses } from './load-processes.ts';
import { saveProcesses } from './save.ts';
import { timeProcesses } from './time-aggregation.ts';
import { resampleProcesses } from './resample.ts';
import { applyDimensionProcesses } from './apply-dimension.ts';

export type { CubeServices, SaveRequest } from './services.ts';
export { planLoadNarrowing, type LoadNarrowing } from './pushdown.ts';

export function cubeProcesses(): ProcessDefinition[] {
  return [...loadProcesses, ...filterProcesses, ...applyReduceProcesses, ...combineProcesses, ...dimensionProcesses, ...saveProcesses, ...timeProcesses, ...resampleProcesses, ...applyDimensionProcesses];
}
