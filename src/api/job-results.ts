import { cancelJob, queueJobWithinLimit } from '../db/jobs.ts';
import { enqueueJob } from '../distributed/queue.ts';
import { insertLog, lastErrorLog } from '../db/job-logs.ts';
import { OpenEOError } from '../errors.ts';
import { userOf, type Handler } from './http.ts';
import { requireJob } from './jobs.ts';
import { logEntryView } from './job-logs.ts';

/** POST /jobs/{id}/results: queue the job (202); a no-op while it is already queued or running. */
export const startJob: Handler = async (req, res, ctx) => {
  const job = await requireJob(ctx, req);
  if (job.status === 'queued' || job.status === 'running') {
    res.status(202).end();
    return;
  }
  const limit = ctx.config.limits.jobsPerUser;
  // the old run's results go when the new run is planned (see planJob), not here: deleting a large store inside the
  // start's transaction held the embedded database's one connection (every request waited) or a pooled one
  const { row: queued, active } = await queueJobWithinLimit(ctx.db, job.user_id, job.id, { maxActive: limit });
  if (active !== undefined) {
    throw new OpenEOError('TooManyRequests', `You already have ${active} queued or running jobs (limit ${limit}). Wait for one to finish or cancel one.`);
  }
  ctx.runner?.notify();
  if (ctx.queue && queued) await enqueueJob(ctx.queue, queued.id, queued.run);
  res.status(202).end();
};

/** DELETE /jobs/{id}/results: cancel a queued or running job; finished results stay (the spec keeps them). */
export const cancelJobRun: Handler = async (req, res, ctx) => {
  const job = await requireJob(ctx, req);
  const canceled = await cancelJob(ctx.db, job.user_id, job.id);
  if (canceled) {
    ctx.runner?.abort(job.id);
    await insertLog(ctx.db, job.id, canceled.run, { level: 'info', message: 'Job canceled by the user.' });
  }
  res.status(204).end();
};

/** GET /jobs/{id}/results: the STAC Item of a finished job (or of a running one with `partial=true`). */
export const getJobResults: Handler = async (req, res, ctx) => {
  const job = await requireJob(ctx, req);
  const partial = req.query.partial === 'true' || req.query.partial === '' || (req.query.partial as unknown) === true;
  if (job.status === 'error') {
    const entry = await lastErrorLog(ctx.db, job.id, job.run);
    res.status(424).json(
      entry ? logEntryView(entry) : { id: 'error', level: 'error', message: 'The batch job failed without a log entry.' },
    );
    return;
  }
  if (job.status === 'created') {
    if (!partial) throw new OpenEOError('JobNotStarted', 'Batch job must be started first.');
  } else if (job.status !== 'finished' && !partial) {
    throw new OpenEOError('JobNotFinished', 'Batch job has not finished computing the results yet. Please try again later.');
  }
  res.setHeader('OpenEO-Costs', '0');
  const doc = await ctx.resultsDocument(job, { partial });
  // the API lets clients ask for GeoJSON by content negotiation (the document is a STAC Item, a GeoJSON Feature)
  if (req.accepts(['application/json', 'application/geo+json']) === 'application/geo+json') res.type('application/geo+json').send(JSON.stringify(doc));
  else res.json(doc);
};
