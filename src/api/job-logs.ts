import { listLogs, LOG_LEVELS } from '../db/job-logs.ts';
import type { JobLogRow, LogLevel } from '../db/schema.ts';
import { OpenEOError } from '../errors.ts';
import { iso, type Handler } from './http.ts';
import { requireJob } from './jobs.ts';
import { pageLimit } from './pagination.ts';

export function logEntryView(row: JobLogRow): Record<string, unknown> {
  const view: Record<string, unknown> = { id: row.seq, level: row.level, message: row.message, time: iso(row.time) };
  if (row.code) view.code = row.code;
  if (row.data !== null) view.data = row.data;
  if (row.path) view.path = row.path;
  return view;
}

/** GET /jobs/{id}/logs?offset&level&limit: the current run's log, oldest first; `offset` is the last id seen. */
export const getJobLogs: Handler = async (req, res, ctx) => {
  const job = await requireJob(ctx, req);
  // An absent or empty level returns every stored entry (the spec's documented default, `debug`).
  const level = ((req.query.level as string | undefined) || 'debug') as LogLevel;
  if (!LOG_LEVELS.includes(level)) throw new OpenEOError('BadRequest', `Query parameter 'level' must be one of ${LOG_LEVELS.join(', ')}.`);
  const offset = req.query.offset === '' ? undefined : req.query.offset;
  if (offset !== undefined && (typeof offset !== 'string' || !/^\d+$/.test(offset))) {
    throw new OpenEOError('BadRequest', "Query parameter 'offset' must be a log entry id from a previous response.");
  }
  const limit = pageLimit(req, ctx);
  const rows = await listLogs(ctx.db, job.id, job.run, { afterSeq: offset, minLevel: level, limit: limit === undefined ? undefined : limit + 1 });
  const page = limit === undefined ? rows : rows.slice(0, limit);
  const links: { rel: string; href: string }[] = [];
  if (limit !== undefined && rows.length > limit) {
    const url = new URL(`${ctx.config.publicUrl}${req.path}`);
    url.searchParams.set('offset', page[page.length - 1].seq);
    url.searchParams.set('limit', String(limit));
    if (req.query.level) url.searchParams.set('level', level);
    links.push({ rel: 'next', href: url.toString() });
  }
  res.json({ level: job.log_level, logs: page.map(logEntryView), links });
};
