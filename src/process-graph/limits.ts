/** Bounds on what a process call may allocate; the configured values come from `Limits` (config.ts). */
import { arrayTooLarge } from './errors.ts';
import type { ProcessLimits } from './types.ts';

/**
 * The config's defaults, also used by the engine's entry points when a caller (a test, a tool) passes none: a
 * forgotten limit then still bounds memory instead of lifting the bound. The bound is per array: with 1,000,000, a graph
 * of 499 nodes each making the largest array held 4 GB at once; with 100,000 the most nodes a graph may have
 * (LIMIT_GRAPH_NODES, 500) hold at most ~400 MB.
 */
export const DEFAULT_PROCESS_LIMITS: ProcessLimits = Object.freeze({ arrayElements: 100_000 });

/**
 * Throws ProcessParameterInvalid when an array of `elements` is more than a process may make. Called before
 * allocating: a single node asking for 10^8 elements would otherwise take the whole process down with it.
 */
export function checkArraySize(limits: ProcessLimits, processId: string, parameter: string, elements: number): void {
  if (elements > limits.arrayElements) throw arrayTooLarge(processId, parameter, elements, limits.arrayElements);
}
