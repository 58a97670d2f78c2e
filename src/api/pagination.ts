import type { Request } from 'express';
import type { AppContext } from '../context.ts';
import { OpenEOError } from '../errors.ts';

export interface PageRequest<C> {
  /** Undefined when the client asked for no paging: the whole list, as the spec requires of an absent `limit`. */
  limit?: number;
  cursor?: C;
}

/** Reads `limit` (absent or empty: everything) and the opaque `page` cursor (base64url JSON written by `nextLink`). */
export function pageRequest<C>(req: Request, ctx: AppContext): PageRequest<C> {
  const limit = pageLimit(req, ctx);
  const page = req.query.page;
  if (page === undefined || page === '') return { limit };
  if (typeof page !== 'string') throw new OpenEOError('BadRequest', "Query parameter 'page' must be a string.");
  try {
    return { limit, cursor: JSON.parse(Buffer.from(page, 'base64url').toString('utf8')) as C };
  } catch {
    throw new OpenEOError('BadRequest', "Query parameter 'page' is not a valid page token; use the 'next' link as given.");
  }
}

/**
 * `limit` capped at the configured maximum, or undefined when absent or empty: clients that do not page (the spec
 * makes paging optional for them) must get every element, not a first page they would take for the whole list.
 */
export function pageLimit(req: Request, ctx: AppContext): number | undefined {
  const raw = req.query.limit;
  if (raw === undefined || raw === '') return undefined;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1) throw new OpenEOError('BadRequest', "Query parameter 'limit' must be a positive integer.");
  return Math.min(limit, ctx.config.limits.pageMax);
}

/** The `links` of a list: a `next` link when the page was full. Fetch limit+1 rows to know if there is more. */
export function pageLinks<C>(
  req: Request,
  ctx: AppContext,
  limit: number | undefined,
  hasMore: boolean,
  cursor: () => C,
): { rel: string; href: string }[] {
  if (limit === undefined || !hasMore) return [];
  const url = new URL(`${ctx.config.publicUrl}${req.path}`);
  url.searchParams.set('limit', String(limit));
  url.searchParams.set('page', Buffer.from(JSON.stringify(cursor())).toString('base64url'));
  return [{ rel: 'next', href: url.toString() }];
}

/** Pages a list that is already in memory (collections). */
export function pageOfArray<T>(req: Request, ctx: AppContext, items: T[]): { items: T[]; links: { rel: string; href: string }[] } {
  const { limit, cursor } = pageRequest<number>(req, ctx);
  const start = typeof cursor === 'number' && Number.isInteger(cursor) && cursor >= 0 ? cursor : 0;
  const end = limit === undefined ? items.length : start + limit;
  return { items: items.slice(start, end), links: pageLinks(req, ctx, limit, end < items.length, () => end) };
}
