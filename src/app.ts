import path from 'node:path';
import express, { type Express, type RequestHandler } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import { setUser, type Route } from './api/http.ts';
import { cors } from './api/cors.ts';
import { errorHandler, notFound, readBody } from './api/error-handler.ts';
import { routeTable, wellKnown } from './api/routes.ts';
import { health, metricsHandler, ready } from './api/operations.ts';
import { PROJECT_ROOT } from './config.ts';
import type { AppContext } from './context.ts';
import { resultsRouter } from './results/download.ts';
import { requestIds, securityHeaders } from './security/http-hygiene.ts';
import { jsonBodyGuard } from './security/json-guard.ts';

export const OPENAPI_FILE = path.join(PROJECT_ROOT, 'openapi.yaml');
export const BACKEND_VERSION = '0.1.0';

const toExpressPath = (p: string): string => p.replace(/\{(\w+)\}/g, ':$1');

function authenticate(ctx: AppContext, mode: Route['auth']): RequestHandler {
  return async (req, _res, next) => {
    if (mode === 'none') return next();
    if (mode === 'optional' && !req.headers.authorization) return next();
    setUser(req, await ctx.auth.authenticate(req.headers.authorization));
    next();
  };
}

/** Builds the Express app for a context; it never listens, so tests drive it directly with supertest. */
export function createApp(ctx: AppContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'extended');
  if (ctx.config.trustProxy !== undefined) app.set('trust proxy', ctx.config.trustProxy);
  app.use(requestIds(ctx.logger));
  app.use(securityHeaders());
  app.use(cors);
  app.get('/.well-known/openeo', (req, res) => wellKnown(req, res, ctx));
  // Operations endpoints: not part of the openEO API, so not listed in the capabilities.
  const metrics = metricsHandler(ctx);
  app.get('/health', (req, res) => health(req, res, ctx));
  app.get('/ready', (req, res) => ready(req, res, ctx));
  app.get('/metrics', (req, res) => metrics(req, res, ctx));
  app.get('/openapi.yaml', (_req, res) => {
    res.type('application/vnd.oai.openapi;version=3.0').sendFile(OPENAPI_FILE);
  });
  // Signed downloads carry their own authorization and multi-segment paths the validator cannot describe.
  app.use(resultsRouter(ctx));
  app.use(readBody(express.json({ limit: ctx.config.limits.bodyBytes, type: ['application/json', 'application/*+json'] })));
  app.use(jsonBodyGuard());
  app.use(
    OpenApiValidator.middleware({
      apiSpec: OPENAPI_FILE,
      validateRequests: { allowUnknownQueryParameters: false },
      validateResponses: false,
      validateSecurity: false,
      ignoreUndocumented: true,
      $refParser: { mode: 'dereference' },
    }),
  );
  const routes = routeTable(BACKEND_VERSION, { oidc: ctx.config.oidcProviders.length > 0 });
  for (const r of routes) {
    app[r.method](toExpressPath(r.path), authenticate(ctx, r.auth), async (req, res) => {
      await r.handler(req, res, ctx);
    });
  }
  app.use(notFound);
  app.use(errorHandler(ctx.logger));
  return app;
}
