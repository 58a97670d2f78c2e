/**
 * Synchronous processing (POST /result): small graphs run right away and the encoded result is the response.
 * Raster results are written to a scratch prefix of the results store, streamed back, then removed.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { OpenEOError } from '../errors.ts';
import { encodeJsonResult } from '../formats/json-result.ts';
import type { ObjectStore } from '../storage/index.ts';
import { evaluateGraph, type GraphDeps } from './evaluate-graph.ts';
import type { ChunkPool } from './pool.ts';
import { spatialApplies } from '../datacube/chunk-eval.ts';
import { outputPlan, writerOptions, type OutputPlan } from './output-plan.ts';
import { checkFormatOptions, createRasterWriter } from '../formats/writers.ts';
import { writeRasterOutput } from './raster-output.ts';

export interface SyncResult {
  contentType: string;
  body: Readable | Uint8Array;
  /** Called when the response is done (removes scratch objects). */
  cleanup(): Promise<void>;
}

const ONE_FILE_HINT = 'Synchronous results are a single file; a batch job (POST /jobs) writes any number.';

const oneFile = (why: string) => new OpenEOError('FormatUnsupported', `${why} ${ONE_FILE_HINT}`);

/**
 * A synchronous answer is one file. A plan that would write several is refused before anything is computed, saying
 * what to change; GeoTIFF bands go into one multiband file unless the request set `multiband` itself.
 */
function singleFilePlan(plan: OutputPlan): OutputPlan {
  const bands = plan.variables.length;
  const steps = plan.time?.length ?? 1;
  switch (plan.format) {
    case 'ZARR':
      throw oneFile('Zarr stores are folders of files.');
    case 'GTIFF': {
      if (steps > 1) throw oneFile(`The result has ${steps} time steps and a GeoTIFF holds one: reduce the time dimension (reduce_dimension over t) or save as netCDF.`);
      if (bands > 1 && plan.options.multiband === false) throw oneFile(`The result has ${bands} bands and 'multiband' is false (a file per band): leave it out or set it to true.`);
      return bands > 1 && plan.options.multiband === undefined ? { ...plan, options: { ...plan.options, multiband: true } } : plan;
    }
    case 'PNG':
      if (bands > 1) throw oneFile(`The result has ${bands} bands and PNG draws an image per band: keep one (filter_bands), or save as netCDF or GTiff.`);
      return plan;
    default:
      return plan;
  }
}

export class SyncRunner {
  constructor(
    private readonly deps: GraphDeps & { store: ObjectStore; pool: ChunkPool },
    private readonly pixelBudget: number,
  ) {}

  async run(process: unknown, userId: string, signal: AbortSignal): Promise<SyncResult> {
    const { value, saved } = await evaluateGraph(this.deps, process, userId, signal);
    const noop = async () => {};
    if (saved.length === 0) {
      if (typeof value === 'object' && value !== null && (value as { kind?: string }).kind === 'datacube') {
        throw new OpenEOError('ProcessGraphInvalid', 'The graph returns a data cube: end it with save_result to choose a format.');
      }
      return { contentType: 'application/json', body: encodeJsonResult(value, this.deps.processLimits.arrayElements), cleanup: noop };
    }
    if (saved.length > 1) throw new OpenEOError('ProcessGraphInvalid', 'Synchronous processing supports one save_result; run a batch job for several outputs.');
    let plan = outputPlan(saved[0]);
    // apply_dimension along x or y computes whole rows or columns of its own grid, also under a crop
    const along = spatialApplies(plan.node);
    const pixels = Math.max(plan.grid.width, along.x) * Math.max(plan.grid.height, along.y) * plan.variables.length * (plan.time?.length ?? 1);
    if (pixels > this.pixelBudget) {
      throw new OpenEOError(
        'ProcessGraphComplexity',
        `The result needs ${pixels.toLocaleString('en')} values computed, more than the ${this.pixelBudget.toLocaleString('en')} allowed for synchronous processing. Please run it as a batch job (POST /jobs).`,
      );
    }
    // the options' own errors first (the writer checks them when it is made; nothing is written yet)
    checkFormatOptions(plan.format, plan.options);
    createRasterWriter(plan.format, this.deps.store, 'sync', writerOptions(plan));
    plan = singleFilePlan(plan);
    const prefix = `sync/${randomUUID()}`;
    const cleanup = () => this.deps.store.deletePrefix(`${prefix}/`).then(() => undefined);
    try {
      const assets = (await writeRasterOutput({ plan, store: this.deps.store, pool: this.deps.pool, prefix, signal })).filter(
        (a) => !a.roles.includes('overview') || plan.format === 'PNG',
      );
      if (assets.length !== 1) throw new OpenEOError('FormatUnsupported', `The result consists of ${assets.length} files. ${ONE_FILE_HINT}`);
      const stream = await this.deps.store.getStream(`${prefix}/${assets[0].path}`, {}, signal);
      if (!stream) throw new OpenEOError('StorageFailure', 'The synchronous result disappeared before it could be sent.');
      return { contentType: assets[0].type, body: stream.body, cleanup };
    } catch (e) {
      await cleanup().catch(() => {});
      throw e;
    }
  }
}
