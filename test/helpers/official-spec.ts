/**
 * Test oracle: checks an HTTP response against the *official* openEO API document (not our own openapi.yaml),
 * so a response that passes here is what any openEO client may rely on.
 *
 * The official document is OpenAPI 3.0, which is not quite JSON Schema: `nullable`, `discriminator`, `x-` keys
 * and openEO-only formats are translated for ajv first (see toJsonSchema), and `oneOf` is read as `anyOf`.
 * The whole translated document is registered in ajv under one id, so its internal (and circular, e.g.
 * process graphs) `$ref`s resolve natively.
 */
import { AssertionError } from 'node:assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { toJsonSchemaDocument } from './openapi-to-json-schema.ts';

export const OFFICIAL_SPEC_PATH = fileURLToPath(
  new URL('../../../shared/reference/openeo-api/openapi.yaml', import.meta.url),
);

const DOC_ID = 'https://official-openeo.invalid/openapi.json';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

type Json = Record<string, any>;
export type HeadersLike = Record<string, string | string[] | number | undefined>;

/** The parts of a supertest response the oracle reads (`req` exists at runtime though its typings omit it). */
export interface ResponseLike {
  req?: { method: string; path: string };
  status: number;
  headers: HeadersLike;
  body: unknown;
  text?: string;
}

export interface OfficialOperation {
  method: string; // upper case
  path: string; // template, e.g. /jobs/{job_id}
  operation: Json;
  /** Path-level and operation-level parameters, $refs resolved, operation-level winning. */
  parameters: Json[];
}

// ajv-formats is CommonJS; under NodeNext its default import may be the module namespace.
const addFormats = ((addFormatsModule as any).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

export class OfficialSpec {
  readonly doc: Json;
  readonly operations: OfficialOperation[];
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(raw: Json) {
    this.doc = raw;
    const formats = new Set<string>();
    const translated = toJsonSchemaDocument(raw, formats);
    this.ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, unicodeRegExp: false });
    addFormats(this.ajv);
    // openEO-specific formats ('commonmark', 'binary', ...) are documentation hints, not checks.
    for (const f of formats) if (!this.ajv.formats[f]) this.ajv.addFormat(f, true);
    this.ajv.addSchema(translated, DOC_ID);
    this.operations = listOperations(raw, (o) => this.deref(o));
  }

  /** Follows `$ref`s that point into this document (for non-schema objects: responses, parameters). */
  deref(obj: Json): Json {
    let o = obj;
    for (let i = 0; o && typeof o.$ref === 'string' && i < 20; i++) o = this.pointer(o.$ref.slice(1));
    return o;
  }

  private pointer(ptr: string): any {
    return ptr.split('/').slice(1).map(unescapePointer).reduce((acc: any, k) => acc?.[k], this.doc);
  }

  /** The official operation for a method and a concrete path (query string ignored) or path template. */
  findOperation(method: string, path: string): OfficialOperation | undefined {
    const m = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
    const segs = splitPath(path);
    let best: { op: OfficialOperation; score: number } | undefined;
    for (const op of this.operations) {
      if (op.method !== m) continue;
      const t = splitPath(op.path);
      if (t.length !== segs.length) continue;
      let score = 0;
      const ok = t.every((s, i) => (isParam(s) ? segs[i].length > 0 : s === segs[i] && ++score > 0));
      if (ok && (!best || score > best.score)) best = { op, score };
    }
    return best?.op;
  }

  /** Every way in which the response differs from the official spec; empty when it conforms. */
  violations(method: string, path: string, status: number, headers: HeadersLike, body: unknown): string[] {
    const op = this.findOperation(method, path);
    if (!op) return [`${method.toUpperCase()} ${path} is not an operation of the official openEO API`];
    const responses: Json = op.operation.responses ?? {};
    const key = [String(status), `${String(status)[0]}XX`, `${String(status)[0]}xx`, 'default'].find((k) => k in responses);
    if (!key) return [`status ${status} is not documented (documented: ${Object.keys(responses).join(', ')})`];
    const base = `#/paths/${escapePointer(op.path)}/${op.method.toLowerCase()}/responses/${escapePointer(key)}`;
    const resolved = this.resolvedPointer(base);
    const response = this.pointer(resolved.slice(1)) as Json;
    const out: string[] = [];
    const h = lowerCaseHeaders(headers);
    this.checkHeaders(response, resolved, h, out);
    const content: Json | undefined = response.content;
    const mediaType = (String(h['content-type'] ?? '').split(';')[0] ?? '').trim().toLowerCase();
    if (!content || Object.keys(content).length === 0) {
      // A response that documents a Content-Type header (POST /result) may carry any body; others none.
      const anyBody = Object.keys(response.headers ?? {}).some((n) => n.toLowerCase() === 'content-type');
      if (!anyBody && !isEmptyBody(body)) {
        out.push(`status ${status} is documented without a body, but one was sent (${mediaType || 'no type'})`);
      }
      return out;
    }
    const match = Object.keys(content).find((t) => mediaTypeMatches(t, mediaType));
    if (!match) {
      out.push(`Content-Type "${mediaType}" is not one of: ${Object.keys(content).join(', ')}`);
      return out;
    }
    if (!/[/+]json$/.test(match) || !content[match].schema || method.toUpperCase() === 'HEAD') return out;
    const data = typeof body === 'string' ? safeJson(body) : body;
    const validate = this.validator(`${resolved}/content/${escapePointer(match)}/schema`);
    if (!validate(data)) out.push(...formatErrors(validate));
    return out;
  }

  /** How the official spec judges a JSON request body; undefined when the operation takes none. */
  requestBodyViolations(method: string, path: string, body: unknown): string[] | undefined {
    const op = this.findOperation(method, path);
    const json = op?.operation.requestBody?.content?.['application/json'];
    if (!op || !json?.schema) return undefined;
    const ptr = `#/paths/${escapePointer(op.path)}/${op.method.toLowerCase()}/requestBody/content/application~1json/schema`;
    const validate = this.validator(ptr);
    return validate(body) ? [] : formatErrors(validate);
  }

  /** Rewrites a pointer whose last object is a `$ref` so it points at the referenced object. */
  private resolvedPointer(ptr: string): string {
    let p = ptr;
    for (let i = 0; i < 20; i++) {
      const o = this.pointer(p.slice(1));
      if (!o || typeof o.$ref !== 'string') return p;
      p = o.$ref;
    }
    return p;
  }

  private checkHeaders(response: Json, resolved: string, h: Record<string, string>, out: string[]): void {
    for (const [name, rawSpec] of Object.entries<Json>(response.headers ?? {})) {
      const spec = this.deref(rawSpec);
      const value = h[name.toLowerCase()];
      if (value === undefined) {
        if (spec.required) out.push(`required header ${name} is missing`);
        continue;
      }
      if (name.toLowerCase() === 'content-type' || !spec.schema) continue;
      const validate = this.validator(`${resolved}/headers/${escapePointer(name)}/schema`);
      const typed = this.deref(spec.schema).type;
      const numeric = [typed].flat().some((t) => t === 'number' || t === 'integer');
      const data = numeric && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value;
      if (!validate(data)) out.push(...formatErrors(validate).map((e) => `header ${name}: ${e}`));
    }
  }

  private validator(ptr: string): ValidateFunction {
    let v = this.compiled.get(ptr);
    if (!v) {
      v = this.ajv.compile({ $ref: DOC_ID + ptr });
      this.compiled.set(ptr, v);
    }
    return v;
  }
}

/** Parses the official document (by default the copy under ../shared/reference). */
export function loadOfficialSpec(file: string = OFFICIAL_SPEC_PATH): OfficialSpec {
  return new OfficialSpec(parse(readFileSync(file, 'utf8')) as Json);
}

// Loading and compiling takes a few hundred ms, so test files share one instance per process. This is the
// only cache and it lives in test code; pass a spec explicitly to avoid it.
let shared: OfficialSpec | undefined;
const sharedSpec = (): OfficialSpec => (shared ??= loadOfficialSpec());

/**
 * Throws an AssertionError listing every violation of the official spec. Call it with a supertest response,
 * or with the parts: (method, concrete path or template, status, headers, body[, spec]).
 */
export function assertOfficialResponse(res: ResponseLike, spec?: OfficialSpec): void;
export function assertOfficialResponse(
  method: string, path: string, status: number, headers: HeadersLike, body: unknown, spec?: OfficialSpec,
): void;
export function assertOfficialResponse(...args: unknown[]): void {
  let method: string, path: string, status: number, headers: HeadersLike, body: unknown, spec: OfficialSpec | undefined;
  if (typeof args[0] === 'object' && args[0] !== null) {
    const res = args[0] as ResponseLike;
    if (!res.req) throw new TypeError('assertOfficialResponse(res) needs a supertest response (with res.req)');
    [method, path, status, headers] = [res.req.method, res.req.path, res.status, res.headers];
    const empty = res.body === undefined || (isPlainObject(res.body) && Object.keys(res.body).length === 0);
    body = empty && res.text ? res.text : res.body;
    spec = args[1] as OfficialSpec | undefined;
  } else {
    [method, path, status, headers, body, spec] = args as [string, string, number, HeadersLike, unknown, OfficialSpec?];
  }
  const found = (spec ?? sharedSpec()).violations(method, path, status, headers, body);
  if (found.length === 0) return;
  const shown = found.slice(0, 40).map((v) => `  - ${v}`).join('\n');
  const more = found.length > 40 ? `\n  … and ${found.length - 40} more` : '';
  throw new AssertionError({
    message: `${method.toUpperCase()} ${path} → ${status} violates the official openEO API:\n${shown}${more}`,
    actual: body,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// small helpers

function listOperations(doc: Json, deref: (o: Json) => Json): OfficialOperation[] {
  const ops: OfficialOperation[] = [];
  for (const [path, item] of Object.entries<Json>(doc.paths ?? {})) {
    for (const m of METHODS) {
      const operation = item[m];
      if (!operation) continue;
      const byKey = new Map<string, Json>();
      for (const p of [...(item.parameters ?? []), ...(operation.parameters ?? [])].map(deref)) byKey.set(`${p.in}:${p.name}`, p);
      ops.push({ method: m.toUpperCase(), path, operation, parameters: [...byKey.values()] });
    }
  }
  return ops;
}

const splitPath = (p: string): string[] => {
  const clean = p.split('?')[0].replace(/\/+$/, '');
  return clean === '' ? [] : clean.split('/').slice(1);
};
const isParam = (seg: string): boolean => /^\{[^}]+\}$/.test(seg);
const escapePointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');
const unescapePointer = (s: string): string => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~');
const isPlainObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);

function isEmptyBody(body: unknown): boolean {
  if (body === undefined || body === null || body === '') return true;
  if (Buffer.isBuffer(body)) return body.length === 0;
  return isPlainObject(body) && Object.keys(body).length === 0;
}

function lowerCaseHeaders(headers: HeadersLike): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

function mediaTypeMatches(specType: string, actual: string): boolean {
  const [st, ss] = specType.toLowerCase().split('/');
  const [at, as] = actual.split('/');
  return (st === '*' || st === at) && (ss === '*' || ss === as);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function formatErrors(validate: ValidateFunction): string[] {
  return (validate.errors ?? []).map((e) => {
    const extra = e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : '';
    return `${e.instancePath || '(root)'} ${e.message ?? e.keyword}${extra} [${e.schemaPath}]`;
  });
}
