import { OpenEOError } from '../errors.ts';
import { absoluteUrl, maybeUser, param, type Handler } from './http.ts';
import { pageOfArray } from './pagination.ts';

export const listCollections: Handler = async (req, res, ctx) => {
  const { items, links } = pageOfArray(req, ctx, await ctx.collections.list());
  res.json({
    collections: items,
    links: [
      { rel: 'self', href: absoluteUrl(ctx, '/collections'), type: 'application/json' },
      { rel: 'root', href: absoluteUrl(ctx, '/'), type: 'application/json' },
      ...links,
    ],
  });
};

async function requireCollection(id: string, found: Record<string, unknown> | undefined) {
  if (!found) throw new OpenEOError('CollectionNotFound', `Collection '${id}' does not exist.`);
  return found;
}

export const getCollection: Handler = async (req, res, ctx) => {
  const id = param(req, 'collection_id');
  res.json(await requireCollection(id, await ctx.collections.get(id)));
};

export const getQueryables: Handler = async (req, res, ctx) => {
  const id = param(req, 'collection_id');
  const doc = await requireCollection(id, await ctx.collections.queryables(id));
  res.type('application/schema+json').send(JSON.stringify(doc));
};

/**
 * The predefined processes always come complete, whatever `limit` says: the official JS client (and so the Web
 * Editor and its process builder) reads only the first page it asks for, and would miss processes.
 */
export const listProcesses: Handler = (_req, res, ctx) => {
  res.json({ processes: ctx.processes.list(), links: [] });
};

export const fileFormats: Handler = (_req, res, ctx) => {
  res.json(ctx.formats.fileFormats());
};

/** POST /validation: every error found, as openEO errors, with 200 (an invalid graph is not a failed request). */
export const validate: Handler = async (req, res, ctx) => {
  const errors = await ctx.validateProcess(req.body, maybeUser(req)?.id, { requireValid: false });
  res.json({ errors: errors.map((e) => ({ code: e.code, message: e.message })) });
};
