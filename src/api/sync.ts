import { OpenEOError } from '../errors.ts';
import { userOf, type Handler } from './http.ts';

/** POST /result: runs a small graph and answers with the encoded result. */
export const computeResult: Handler = async (req, res, ctx) => {
  const controller = new AbortController();
  // A client that goes away stops the computation.
  res.on('close', () => {
    if (!res.writableFinished) controller.abort(new Error('client disconnected'));
  });
  const seconds = ctx.config.limits.syncSeconds;
  const timer = setTimeout(
    () => controller.abort(new OpenEOError('ProcessGraphComplexity', `Synchronous processing took longer than ${seconds} s (LIMIT_SYNC_SECONDS); run the process as a batch job instead.`)),
    seconds * 1000,
  );
  const body = req.body as { process?: unknown };
  const result = await ctx.sync.run(body.process, userOf(req).id, controller.signal).finally(() => clearTimeout(timer));
  res.setHeader('Content-Type', result.contentType);
  res.setHeader('OpenEO-Costs', '0');
  res.on('close', () => void result.cleanup().catch((e) => ctx.logger.warn({ err: e }, 'sync cleanup failed')));
  if (result.body instanceof Uint8Array) {
    res.end(Buffer.from(result.body));
    return;
  }
  result.body.on('error', () => res.destroy());
  result.body.pipe(res);
};
