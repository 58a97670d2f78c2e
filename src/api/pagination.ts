import type { Request } from 'express';
import type { AppContext } from '../context.ts';
import { OpenEOError } from '../errors.ts';

export interface PageRequest<C> {
  limit: number;
  cursor?: C;
}

/** Reads `limit` and the opaque `page` cursor (base64url JSON written by `nextLink`). */
export function pageRequest<C>(req: Request, ctx: AppContext): PageRequest<C> {
  const { pageDefault, pageMax } = ctx.config.limits;
  const rawLimit = req.query.limit;
  let limit = pageDefault;
  if (rawLimit !== undefined && rawLimit !== '') {
    limit = Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1) throw new OpenEOError('BadRequest', "Query parameter 'limit' must be a positive integer.");
  }
  limit = Math.min(limit, pageMax);
  const page = req.query.page;
  if (page === undefined || page === '') return { limit };
  if (typeof page !== 'string') throw new OpenEOError('BadRequest', "Query parameter 'page' must be a string.");
  try {
    return { limit, cursor: JSON.parse(Buffer.from(page, 'base64url').toString('utf8')) as C };
  } catch {
    throw new OpenEOError('BadRequest', "Query parameter 'page' is not a valid page token; use the 'next' link as given.");
  }
}

/** The `links` of a list: a `next` link when the page was full. Fetch limit+1 rows to know if there is more. */
export function pageLinks<C>(
  req: Request,
  ctx: AppContext,
  limit: number,
  hasMore: boolean,
  cursor: () => C,
): { rel: string; href: string }[] {
  if (!hasMore) return [];
  const url = new URL(`${ctx.config.publicUrl}${req.path}`);
  url.searchParams.set('limit', String(limit));
  url.searchParams.set('page', Buffer.from(JSON.stringify(cursor())).toString('base64url'));
  return [{ rel: 'next', href: url.toString() }];
}

/** Pages a list that is already in memory (processes, collections). */
export function pageOfArray<T>(req: Request, ctx: AppContext, items: T[]): { items: T[]; links: { rel: string; href: string }[] } {
  const { limit, cursor } = pageRequest<number>(req, ctx);
  const start = typeof cursor === 'number' && Number.isInteger(cursor) && cursor >= 0 ? cursor : 0;
  const slice = items.slice(start, start + limit);
  return { items: slice, links: pageLinks(req, ctx, limit, start + limit < items.length, () => start + limit) };
}
