/**
 * Checks every parsed JSON request body before anything else reads it:
 * - a nesting limit: the graph parser, the validators and the JSON columns all walk values recursively, and a
 *   body of 500 kB of `[` would overflow their stacks (a 500) long before any other limit applies;
 * - no U+0000 and no lone surrogates (`"\ud800"`) in strings or keys: Postgres cannot store them in text or
 *   jsonb, so they would fail at the insert.
 * The walk itself is iterative, so it cannot overflow.
 */
import type { RequestHandler } from 'express';
import { OpenEOError } from '../errors.ts';

/** Deep enough for graphs with callbacks nested far beyond LIMIT_GRAPH_DEPTH and for any GeoJSON. */
export const JSON_DEPTH_LIMIT = 200;

export type JsonProblem = 'too-deep' | 'unstorable';

/** NUL, or a surrogate without its partner (in `u` mode a proper pair is one code point and does not match). */
const UNSTORABLE = /\u0000|\p{Surrogate}/u;

/** The first problem found in a parsed JSON value, if any. */
export function jsonProblem(value: unknown, maxDepth: number): JsonProblem | undefined {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (UNSTORABLE.test(v)) return 'unstorable';
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > maxDepth) return 'too-deep';
    if (Array.isArray(v)) {
      for (const child of v) stack.push([child, depth + 1]);
    } else {
      for (const [k, child] of Object.entries(v)) {
        if (UNSTORABLE.test(k)) return 'unstorable';
        stack.push([child, depth + 1]);
      }
    }
  }
  return undefined;
}

/** Refuses bodies nested deeper than `maxDepth` (ProcessGraphComplexity) or with unstorable characters (BadRequest). */
export function jsonBodyGuard(maxDepth = JSON_DEPTH_LIMIT): RequestHandler {
  return (req, _res, next) => {
    const problem = req.body === undefined ? undefined : jsonProblem(req.body, maxDepth);
    if (problem === 'too-deep') throw new OpenEOError('ProcessGraphComplexity', `The request body nests JSON values deeper than ${maxDepth} levels.`);
    if (problem === 'unstorable') {
      throw new OpenEOError('BadRequest', 'The request body contains a NUL character (\\u0000) or an unpaired surrogate (\\ud800-\\udfff) in a string; such text cannot be stored.');
    }
    next();
  };
}
