/**
 * HTTP hygiene for every response: security headers that suit a cross-origin JSON API (the openEO web editor and
 * other clients call us from other origins, and show result images from signed links), and a request id that
 * appears in the `X-Request-Id` header, in error bodies (`id`) and in the log lines of the request.
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';

/**
 * Helmet with what a cross-origin API needs: resources may be embedded by other origins (CORP cross-origin, else
 * `<img src=signed link>` in a web client breaks), no opener/embedder policies (they only matter for documents and
 * would only get in the way of clients), and a CSP that forbids everything, since we never serve HTML.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    crossOriginOpenerPolicy: false,
    crossOriginEmbedderPolicy: false,
    // Referrer: clients follow our signed links; their tokens must not travel on in Referer headers.
    referrerPolicy: { policy: 'no-referrer' },
  });
}

/** The path of a request without its query string (signed links and page tokens live there). */
const logPath = (url: string) => url.split('?')[0].slice(0, 500);

/** Gives each request an id (`req.id`, `X-Request-Id`) and logs it with the request's outcome. */
export function requestIds(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const id = randomUUID();
    (req as typeof req & { id: string }).id = id;
    res.setHeader('X-Request-Id', id);
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      logger.info({ reqId: id, method: req.method, path: logPath(req.originalUrl), status: res.statusCode, ms: Math.round(ms) }, 'request');
    });
    res.on('close', () => {
      if (!res.writableFinished) logger.info({ reqId: id, method: req.method, path: logPath(req.originalUrl) }, 'request aborted by the client');
    });
    next();
  };
}
