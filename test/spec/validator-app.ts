/**
 * A minimal Express app that runs our openapi.yaml through express-openapi-validator with the options the
 * service uses, and echoes what a handler would receive. Loading the document this way is the real check that
 * it is valid OpenAPI 3.0 (the validator checks the document itself before the first request).
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import { fileURLToPath } from 'node:url';

export const OUR_SPEC_PATH = fileURLToPath(new URL('../../openapi.yaml', import.meta.url));

export interface Echo {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
}

export function validatorApp(): express.Express {
  const app = express();
  app.use(express.json());
  app.use(
    OpenApiValidator.middleware({
      apiSpec: OUR_SPEC_PATH,
      validateRequests: { allowUnknownQueryParameters: false },
      validateResponses: false,
      validateSecurity: false,
      ignoreUndocumented: true,
    }),
  );
  app.use((req: Request, res: Response) => {
    const echo: Echo = { method: req.method, path: req.path, query: { ...req.query }, body: req.body ?? null };
    res.json(echo);
  });
  app.use((err: { status?: number; message: string; errors?: unknown }, _req: Request, res: Response, _next: NextFunction) => {
    res.status(err.status ?? 500).json({ message: err.message, errors: err.errors ?? [] });
  });
  return app;
}
