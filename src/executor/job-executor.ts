import type { JobExecution, JobExecutor, JobOutcome } from '../jobs/executor.ts';
import { evaluateProgram } from '../process-graph/index.ts';
import { jobResultKey, jobResultsPrefix, type StoredResults } from '../results/layout.ts';
import type { ObjectStore } from '../storage/index.ts';
import type { ProcessValidator } from './validate-process.ts';

/**
 * Runs a job's process graph. Graphs whose result is a plain value (number, array, object) are stored as a JSON
 * asset; raster results are written by save_result through the formats module.
 */
export class GraphJobExecutor implements JobExecutor {
  constructor(
    private readonly validator: ProcessValidator,
    private readonly store: ObjectStore,
  ) {}

  async execute({ job, signal, log }: JobExecution): Promise<JobOutcome> {
    const { program, errors } = await this.validator.check(job.process, job.user_id, signal);
    if (!program) throw errors[0];
    await log('debug', `Process graph validated (${program.graph.nodes.size} top-level nodes).`);
    const value = await evaluateProgram(program, { signal });
    const bytes = new TextEncoder().encode(JSON.stringify(value ?? null));
    await this.store.put(jobResultKey(job.id, 'result.json'), bytes, { contentType: 'application/json' }, signal);
    const results: StoredResults = {
      assets: {
        'result.json': { path: 'result.json', type: 'application/json', roles: ['data'], title: 'Result', 'file:size': bytes.length },
      },
    };
    return { results: results as unknown as Record<string, unknown>, usage: { output: { value: bytes.length, unit: 'bytes' } } };
  }

  async discardResults(jobId: string, signal?: AbortSignal): Promise<void> {
    await this.store.deletePrefix(jobResultsPrefix(jobId), signal);
  }
}
