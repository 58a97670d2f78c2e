import type { Request, Response, Router } from 'express';
import express from 'express';
import type { AppContext } from '../context.ts';
import { findJobById } from '../db/jobs.ts';
import { OpenEOError } from '../errors.ts';
import type { ByteRange } from '../storage/index.ts';
import { jobResultKey } from './layout.ts';
import { folderIndex, folderIndexHtml, folderIndexJson } from './listing.ts';

/** Parses a single `bytes=` range; multi-range requests are answered with the whole object. */
export function parseRange(header: string | undefined): ByteRange | undefined | 'invalid' {
  // a range unit other than bytes is ignored, as RFC 9110 requires (the whole object is sent)
  if (!header || !/^\s*bytes=/i.test(header)) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return header.includes(',') ? undefined : 'invalid';
  if (m[1] === '') return { suffixLength: Number(m[2]) };
  const start = Number(m[1]);
  if (m[2] === '') return { offset: start, length: Number.MAX_SAFE_INTEGER - start };
  const end = Number(m[2]);
  if (end < start) return 'invalid';
  return { offset: start, length: end - start + 1 };
}

async function scopeOf(ctx: AppContext, token: string) {
  const scope = ctx.signer.verify(token);
  const job = await findJobById(ctx.db, scope.jobId);
  // A restarted or deleted job invalidates links of earlier runs.
  if (!job || job.run !== scope.run) {
    throw new OpenEOError('ResultLinkExpired', 'The link belongs to results that no longer exist. Please request the results again.');
  }
  return job;
}

async function serveObject(ctx: AppContext, req: Request, res: Response): Promise<void> {
  const job = await scopeOf(ctx, String(req.params.token));
  const all = (req.params as unknown as { path: string[] }).path;
  // A trailing slash asks for the folder's index.
  const folder = all.length > 1 && all[all.length - 1] === '';
  const segments = folder ? all.slice(0, -1) : all;
  // Segments arrive decoded: an encoded '/' or '..' must not climb out of the job's prefix.
  if (segments.some((s) => s === '' || s === '.' || s === '..' || /[/\\\0]/.test(s))) {
    throw new OpenEOError('FileNotFound', 'File does not exist.');
  }
  const path = segments.join('/');
  const range = parseRange(req.headers.range);
  if (range === 'invalid') throw new OpenEOError('BadRequest', 'Invalid Range header.', { status: 416 });
  const controller = new AbortController();
  res.on('close', () => controller.abort());
  const obj = folder ? undefined : await ctx.store.getStream(jobResultKey(job.id, path), { range }, controller.signal);
  if (!obj) {
    // only where a folder can be (a store asset such as result.zarr, or a path asked for with a trailing slash): a
    // missing file elsewhere is a plain 404, not a listing of the store
    if ((folder || underFolderAsset(job.results, path)) && (await serveFolder(ctx, req, res, job.id, path, controller.signal).catch(() => false))) return;
    throw new OpenEOError('FileNotFound', `File '${path}' does not exist.`);
  }
  if (range && obj.length === 0 && obj.size > 0) {
    obj.body.destroy();
    res.setHeader('Content-Range', `bytes */${obj.size}`);
    throw new OpenEOError('BadRequest', 'Range not satisfiable.', { status: 416 });
  }
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Content-Type', obj.contentType ?? contentTypeOf(path));
  res.setHeader('Content-Length', String(obj.length));
  if (obj.etag) res.setHeader('ETag', obj.etag);
  if (obj.lastModified) res.setHeader('Last-Modified', obj.lastModified.toUTCString());
  if (range) {
    res.status(206);
    res.setHeader('Content-Range', `bytes ${obj.offset}-${obj.offset + obj.length - 1}/${obj.size}`);
  }
  if (req.method === 'HEAD') {
    obj.body.destroy();
    res.end();
    return;
  }
  obj.body.on('error', () => res.destroy());
  obj.body.pipe(res);
}

/** A prefix holding objects (a Zarr store, a variable's chunks) answers with an index of its entries. */
/** Whether `path` is an asset of the results that is a folder of objects (a Zarr store), or lies within one. */
function underFolderAsset(results: unknown, path: string): boolean {
  const assets = (results as { assets?: Record<string, { type?: string }> } | null)?.assets ?? {};
  return Object.entries(assets).some(([key, a]) => /zarr/.test(a.type ?? '') && (path === key || path.startsWith(`${key}/`)));
}

async function serveFolder(ctx: AppContext, req: Request, res: Response, jobId: string, path: string, signal: AbortSignal): Promise<boolean> {
  const index = await folderIndex(ctx.store, `${jobResultKey(jobId, path)}/`, signal);
  if (!index) return false;
  const url = `${ctx.config.publicUrl}/results/${String(req.params.token)}/${path.split('/').map(encodeURIComponent).join('/')}/`;
  const json = req.accepts(['text/html', 'application/json']) === 'application/json';
  const body = json ? JSON.stringify(folderIndexJson(url, index)) : folderIndexHtml(`${path}/`, url, index);
  res.setHeader('Content-Type', json ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8');
  res.setHeader('Content-Length', String(Buffer.byteLength(body)));
  res.setHeader('Vary', 'Accept');
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}

const TYPES: [RegExp, string][] = [
  [/\.json$|\/\.z(array|attrs|group|metadata)$|^\.z(array|attrs|group|metadata)$|zarr\.json$/, 'application/json'],
  [/\.tiff?$/, 'image/tiff; application=geotiff'],
  [/\.nc$/, 'application/x-netcdf'],
  [/\.png$/, 'image/png'],
];
const contentTypeOf = (path: string): string => TYPES.find(([re]) => re.test(path))?.[1] ?? 'application/octet-stream';

/** Signed result downloads: no Authorization header needed; registered outside the OpenAPI validator. */
export function resultsRouter(ctx: AppContext): Router {
  const router = express.Router();
  router.get('/results/:token', async (req, res) => {
    const job = await scopeOf(ctx, String(req.params.token));
    res.type('application/geo+json').json(await ctx.resultsDocument(job, { partial: true }));
  });
  router.get('/results/:token/*path', (req, res) => serveObject(ctx, req, res));
  router.head('/results/:token/*path', (req, res) => serveObject(ctx, req, res));
  return router;
}
