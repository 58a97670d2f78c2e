import type { Request, Response } from 'express';
import type { AppContext } from '../context.ts';
import type { UserRow } from '../db/schema.ts';
import { OpenEOError } from '../errors.ts';

export type Handler = (req: Request, res: Response, ctx: AppContext) => Promise<void> | void;

export interface Route {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI-style path, e.g. `/jobs/{job_id}`; also what `GET /` lists under `endpoints`. */
  path: string;
  auth: 'none' | 'required' | 'optional';
  handler: Handler;
}

const USER = Symbol('user');

export function setUser(req: Request, user: UserRow): void {
  (req as unknown as Record<symbol, UserRow>)[USER] = user;
}

export function maybeUser(req: Request): UserRow | undefined {
  return (req as unknown as Record<symbol, UserRow | undefined>)[USER];
}

/** The authenticated user; routes declared with `auth: 'required'` always have one. */
export function userOf(req: Request): UserRow {
  const user = maybeUser(req);
  if (!user) throw new OpenEOError('AuthenticationRequired', 'Unauthorized: this endpoint requires authentication.');
  return user;
}

export const iso = (d: Date | string | null | undefined): string | undefined =>
  d == null ? undefined : new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function param(req: Request, name: string): string {
  const v = req.params[name];
  if (typeof v !== 'string') throw new OpenEOError('BadRequest', `Missing path parameter '${name}'.`);
  return v;
}

/** Absolute URL of a path on this backend, as clients should see it. */
export const absoluteUrl = (ctx: AppContext, path: string): string => `${ctx.config.publicUrl}${path}`;
