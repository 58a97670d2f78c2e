/**
 * The checks of a graph that need the catalog and the formats: a dry run (catalog searches, no pixels read) and the
 * outputs' format options. POST /jobs and POST /validation use them so that an unknown collection or band, an
 * empty extent or a bad format option is reported when the job is created, not only once it runs.
 */
import { OpenEOError, type ErrorCode } from '../errors.ts';
import { checkFormatOptions, createRasterWriter } from '../formats/writers.ts';
import type { ObjectStore } from '../storage/index.ts';
import { evaluateGraph, type GraphDeps } from './evaluate-graph.ts';
import { outputPlan, writerOptions } from './output-plan.ts';

/**
 * Codes that a later state of the catalog or of the services may clear: not the graph's fault now, and the job
 * checks again when it runs.
 */
const PASSING = new Set(['NoDataAvailable', 'TooManyRequests']);

/** At most this long: a slow remote catalog must not hold up creating a job (it is checked again at the start). */
const DRY_RUN_MS = 10_000;

const CATALOG_AND_FORMATS = new Set(['load_collection', 'load_stac', 'save_result']);

/**
 * Whether the graph (callbacks included) names a process whose arguments the catalog or the formats decide on. A
 * graph without one has nothing to check here, and running it dry would compute it: its errors come when it runs.
 */
function usesCatalogOrFormats(value: unknown, depth = 0): boolean {
  if (typeof value !== 'object' || value === null || depth > 64) return false;
  if (Array.isArray(value)) return value.some((v) => usesCatalogOrFormats(v, depth + 1));
  const { process_id: id } = value as { process_id?: unknown };
  if (typeof id === 'string' && CATALOG_AND_FORMATS.has(id)) return true;
  return Object.values(value).some((v) => usesCatalogOrFormats(v, depth + 1));
}

/** Whether the process declares parameters that have no default (it runs only when called with values for them). */
function needsArguments(process: unknown): boolean {
  const params = (process as { parameters?: unknown }).parameters;
  return Array.isArray(params) && params.some((p) => typeof p === 'object' && p !== null && p.optional !== true && p.default === undefined);
}

/**
 * The errors a dry run of `process` finds, for a graph that passed validation. A graph that needs values for its
 * parameters (POST /validation accepts those) cannot be run dry and has none; failures of the server, of remote
 * services and a run over the time limit are no errors of the graph either.
 */
export async function dryRunErrors(deps: GraphDeps, store: ObjectStore, process: unknown, userId: string | undefined, opts: { strictlyValid: boolean }): Promise<OpenEOError[]> {
  if (!usesCatalogOrFormats((process as { process_graph?: unknown }).process_graph) || needsArguments(process)) return [];
  // a graph validated leniently (POST /validation) may refer to parameters defined nowhere: it cannot run dry
  if (!opts.strictlyValid && (await deps.validator.check(process, userId)).errors.length > 0) return [];
  try {
    const { saved } = await evaluateGraph(deps, process, userId ?? '', AbortSignal.timeout(DRY_RUN_MS));
    for (const save of saved) {
      const plan = outputPlan(save);
      checkFormatOptions(plan.format, plan.options);
      createRasterWriter(plan.format, store, 'dry-run', writerOptions(plan));
    }
    return [];
  } catch (e) {
    if (!(e instanceof OpenEOError) || e.status < 400 || e.status >= 500 || PASSING.has(e.code)) return [];
    // the request names something that does not exist (a collection, say): the request is bad, the endpoint is not
    // missing
    return [e.status === 404 ? new OpenEOError(e.code as ErrorCode, e.message, { status: 400, extra: e.extra, url: e.url }) : e];
  }
}
