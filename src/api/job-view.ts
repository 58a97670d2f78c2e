import type { JobRow } from '../db/schema.ts';
import { iso } from './http.ts';

/** A job as the openEO `batch_job` schema shows it; `full` adds the process (GET /jobs/{id}). */
export function jobView(job: JobRow, full: boolean): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: job.id,
    title: job.title,
    description: job.description,
    status: job.status,
    created: iso(job.created),
    updated: iso(job.updated),
    // Not in the openEO schema, which allows extra fields: when the job was queued, started and ended.
    queued: iso(job.queued),
    started: iso(job.started),
    finished: iso(job.finished),
    plan: job.plan,
    budget: job.budget,
    log_level: job.log_level,
  };
  if (job.progress !== null && job.status !== 'created') view.progress = job.progress;
  if (job.usage) view.usage = job.usage;
  if (full) view.process = job.process;
  // The spec types plan as a string (not nullable): an unset plan is left out.
  for (const k of Object.keys(view)) if (view[k] === undefined || (k === 'plan' && view[k] === null)) delete view[k];
  return view;
}
