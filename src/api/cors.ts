import type { RequestHandler } from 'express';

// Browsers expose the CORS-safelisted response headers anyway; the spec forbids listing them (Cache-Control,
// Content-Language, Content-Length, Content-Type, Expires, Last-Modified, Pragma). The range and ETag headers are for
// ranged reads of result files from browser clients.
const EXPOSED = 'Link, Location, OpenEO-Costs, OpenEO-Identifier, Content-Range, Accept-Ranges, ETag';
const METHODS = 'OPTIONS, GET, HEAD, POST, PATCH, PUT, DELETE';
const ALLOWED = 'Authorization, Content-Type, Range, If-None-Match, If-Match';

/** CORS as the openEO API requires: headers on every response, and 204 for every preflight OPTIONS. */
export const cors: RequestHandler = (req, res, next) => {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', EXPOSED);
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', METHODS);
    res.setHeader('Access-Control-Allow-Headers', ALLOWED);
    res.setHeader('Access-Control-Max-Age', '3600');
    res.setHeader('Content-Type', 'application/json');
    res.status(204).end();
    return;
  }
  next();
};
