/** The processes implemented here, for wiring in context.ts. Data cube processes come from other modules. */
import type { ProcessDefinition } from '../process-graph/types.ts';
import { arrayApplySortProcesses } from './array-apply-sort.ts';
import { arrayProcesses } from './arrays.ts';
import { comparisonProcesses } from './comparison.ts';
import { ndviProcess } from './indices.ts';
import { logicProcesses } from './logic.ts';
import { mathBinaryProcesses } from './math-binary.ts';
import { mathUnaryProcesses } from './math-unary.ts';
import { statisticsProcesses } from './statistics.ts';
import { valueProcesses } from './values.ts';

export { createProcessRegistry, listProcessSpecs, replacing, type ProcessRegistry } from './registry.ts';
export { labelsOf, withLabels, type Label } from './labeled-array.ts';

/** Scalar and array processes (the ones usable inside callbacks), plus the labeled-array ndvi. */
export function scalarProcesses(): ProcessDefinition[] {
  return [
    ...mathUnaryProcesses,
    ...mathBinaryProcesses,
    ...comparisonProcesses,
    ...logicProcesses,
    ...valueProcesses,
    ...statisticsProcesses,
    ...arrayProcesses,
    ...arrayApplySortProcesses,
    ndviProcess,
  ];
}
