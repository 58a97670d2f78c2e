import type { Request } from 'express';
import type { AppContext } from '../context.ts';
import { deleteJob, findJob, insertJob, listJobs, patchJob, type JobPatch } from '../db/jobs.ts';
import type { LogLevel } from '../db/schema.ts';
import { OpenEOError } from '../errors.ts';
import { resolvePlan } from './billing.ts';
import { absoluteUrl, param, userOf, type Handler } from './http.ts';
import { jobView } from './job-view.ts';
import { pageLinks, pageRequest } from './pagination.ts';

export async function requireJob(ctx: AppContext, req: Request) {
  const id = param(req, 'job_id');
  const job = await findJob(ctx.db, userOf(req).id, id);
  if (!job) throw new OpenEOError('JobNotFound', `The batch job '${id}' does not exist.`);
  return job;
}

/** Fields of POST/PATCH bodies; the OpenAPI validator has checked their types. */
function readJobFields(body: Record<string, unknown>): JobPatch {
  const patch: JobPatch = {};
  if ('title' in body) patch.title = body.title as string | null;
  if ('description' in body) patch.description = body.description as string | null;
  if ('plan' in body) patch.plan = resolvePlan(body.plan as string | null);
  if ('budget' in body) patch.budget = body.budget as number | null;
  if (body.log_level !== undefined) patch.logLevel = body.log_level as LogLevel;
  if (body.process !== undefined) patch.process = body.process as Record<string, unknown>;
  return patch;
}

export const createJob: Handler = async (req, res, ctx) => {
  const user = userOf(req);
  const fields = readJobFields(req.body);
  if (!fields.process) throw new OpenEOError('ProcessGraphMissing', "The request body needs a 'process' with a 'process_graph'.");
  await ctx.validateProcess(fields.process, user.id, { requireValid: true });
  const job = await insertJob(ctx.db, { ...fields, plan: fields.plan ?? resolvePlan(null), process: fields.process, userId: user.id, logLevel: fields.logLevel ?? 'info' });
  res.setHeader('Location', absoluteUrl(ctx, `/jobs/${job.id}`));
  res.setHeader('OpenEO-Identifier', job.id);
  res.status(201).end();
};

export const listUserJobs: Handler = async (req, res, ctx) => {
  const { limit, cursor } = pageRequest<{ created: string; id: string }>(req, ctx);
  if (cursor !== undefined && (typeof cursor?.created !== 'string' || typeof cursor?.id !== 'string' || isNaN(Date.parse(cursor.created)))) {
    throw new OpenEOError('BadRequest', "Query parameter 'page' is not a valid page token.");
  }
  const rows = await listJobs(ctx.db, userOf(req).id, limit === undefined ? undefined : limit + 1, cursor);
  const page = limit === undefined ? rows : rows.slice(0, limit);
  const last = page[page.length - 1];
  res.json({
    jobs: page.map((j) => jobView(j, false)),
    links: pageLinks(req, ctx, limit, rows.length > page.length, () => ({ created: new Date(last.created).toISOString(), id: last.id })),
  });
};

export const getJob: Handler = async (req, res, ctx) => {
  res.json(jobView(await requireJob(ctx, req), true));
};

/** Properties of a batch job that only the backend sets: a PATCH naming one is refused rather than half applied. */
const READ_ONLY = ['id', 'status', 'progress', 'created', 'updated', 'costs', 'usage', 'links'];

export const updateJob: Handler = async (req, res, ctx) => {
  const user = userOf(req);
  const id = param(req, 'job_id');
  const body = (req.body ?? {}) as Record<string, unknown>;
  const readOnly = READ_ONLY.find((k) => k in body);
  if (readOnly) throw new OpenEOError('PropertyNotEditable', `The specified property '${readOnly}' is read-only.`);
  const fields = readJobFields(body);
  if (Object.keys(fields).length === 0) throw new OpenEOError('NoDataForUpdate', 'No data specified to be updated.');
  if (fields.process) await ctx.validateProcess(fields.process, user.id, { requireValid: true });
  const { reason } = await patchJob(ctx.db, user.id, id, fields);
  if (reason === 'missing') throw new OpenEOError('JobNotFound', `The batch job '${id}' does not exist.`);
  if (reason === 'locked') throw new OpenEOError('JobLocked', 'Batch job is locked due to a queued or running batch computation.');
  res.status(204).end();
};

export const removeJob: Handler = async (req, res, ctx) => {
  const job = await requireJob(ctx, req);
  ctx.runner?.abort(job.id);
  await ctx.executor.discardResults(job.id);
  await deleteJob(ctx.db, job.user_id, job.id);
  res.status(204).end();
};

export const estimateJob: Handler = async (req, res, ctx) => {
  const job = await requireJob(ctx, req);
  res.json(await ctx.estimate(job));
};
