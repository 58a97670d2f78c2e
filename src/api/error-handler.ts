import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { OpenEOError, toOpenEOError } from '../errors.ts';

export const requestId = (req: Request): string => (req as Request & { id?: string }).id ?? 'unknown';

export const notFound: RequestHandler = (req) => {
  throw new OpenEOError('NotFound', `Resource not found: ${req.method} ${req.path} is not an endpoint of this service.`);
};

interface ValidatorError {
  status?: number;
  errors?: { path?: string; message?: string }[];
  type?: string;
  message?: string;
  /** Set by readBody: the failure is the JSON body parser's, so it concerns the client's body. */
  fromBodyParser?: boolean;
}

/** The body parser, whose failures are marked as failures to read the client's body (see fromFrameworkError). */
export function readBody(parser: RequestHandler): RequestHandler {
  return (req, res, next) =>
    parser(req, res, (err?: unknown) => next(err instanceof Error ? Object.assign(err, { fromBodyParser: true }) : err));
}

/** Translates body-parser and OpenAPI-validator failures into openEO errors; leaves others to toOpenEOError. */
function fromFrameworkError(err: ValidatorError): OpenEOError | undefined {
  if (err.type === 'entity.parse.failed') {
    return new OpenEOError('BadRequest', `The request body is not valid JSON: ${err.message ?? 'parse error'}.`);
  }
  if (err.type === 'entity.too.large') return new OpenEOError('PayloadTooLarge', 'The request body is too large.');
  if (err.type === 'encoding.unsupported' || err.type === 'charset.unsupported') {
    return new OpenEOError('BadRequest', 'The request body has an unsupported encoding.');
  }
  // the parser's other failures (a body that does not decompress, a stream cut short) ended as 500 Internal
  if (err.fromBodyParser === true && typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
    return new OpenEOError('BadRequest', 'The request body could not be read: it is not a valid body for its Content-Encoding, or it ended early.');
  }
  if (Array.isArray(err.errors) && typeof err.status === 'number') {
    const details = err.errors
      .map((e) => `${(e.path ?? '').replace(/^\/(body|query|params|headers)\/?/, '$1 ').trim()}: ${e.message ?? ''}`.trim())
      .join('; ');
    if (err.status === 404) return new OpenEOError('NotFound', 'Resource not found.');
    if (err.status === 405) return new OpenEOError('NotFound', `Method not allowed on this endpoint.`, { status: 405 });
    if (err.status === 415) return new OpenEOError('ContentTypeInvalid', 'The media type is not supported. Allowed: application/json.');
    if (err.errors.some((e) => /^\/body\/process(\/process_graph)?$/.test(e.path ?? '') && /required/.test(e.message ?? ''))) {
      return new OpenEOError('ProcessGraphMissing', "Invalid process specified: the body needs a 'process' with a 'process_graph'.");
    }
    if (err.status === 413) return new OpenEOError('PayloadTooLarge', 'The request body is too large.');
    return new OpenEOError('BadRequest', `Invalid request: ${details || err.message}`);
  }
  return undefined;
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const e = fromFrameworkError(err) ?? toOpenEOError(err);
    const id = requestId(req);
    if (e.status >= 500) logger.error({ err, reqId: id, path: req.path }, 'request failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (e.headers) res.set(e.headers);
    res.status(e.status).json(e.toJSON(id));
  };
}
