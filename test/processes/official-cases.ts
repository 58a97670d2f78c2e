/**
 * Reading the official openEO process test files (tests/<id>.json5 of openeo-processes): decoding their special
 * encodings into our runtime values, and comparing results the way their README prescribes.
 */
import { readFileSync } from 'node:fs';
import JSON5 from 'json5';
import { labelsOf, withLabels, type Label } from '../../src/processes/labeled-array.ts';

export const REFERENCE = new URL('../../../shared/reference/openeo-processes/', import.meta.url);

export interface OfficialCase {
  arguments: Record<string, unknown>;
  returns?: unknown;
  throws?: string | boolean;
  required?: string[];
  delta?: number;
  level?: string;
}

export function loadCases(id: string): OfficialCase[] {
  const text = readFileSync(new URL(`tests/${id}.json5`, REFERENCE), 'utf8');
  return (JSON5.parse(text) as { tests: OfficialCase[] }).tests;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Features of an encoded value that this runner cannot turn into a scalar/array value. */
export function unsupportedFeature(v: unknown): string | undefined {
  if (Array.isArray(v)) {
    for (const item of v) {
      const f = unsupportedFeature(item);
      if (f) return f;
    }
    return undefined;
  }
  if (!isObject(v)) return undefined;
  if (v.type === 'datacube') return 'needs a data cube (data cube processes are not part of this module)';
  if (typeof v.$ref === 'string') return 'needs an external file ($ref)';
  for (const item of Object.values(v)) {
    const f = unsupportedFeature(item);
    if (f) return f;
  }
  return undefined;
}

/** nodata → null, labeled-array → labeled JS array, datetime → its RFC 3339 string; the rest recursively. */
export function decode(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decode);
  if (!isObject(v)) return v;
  if (v.type === 'nodata' && Object.keys(v).length === 1) return null;
  if (v.type === 'datetime' && typeof v.value === 'string') return v.value;
  if (v.type === 'labeled-array' && Array.isArray(v.data)) {
    const entries = v.data as { key: Label; value: unknown }[];
    return withLabels(entries.map((e) => decode(e.value)), entries.map((e) => e.key));
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]));
}

/** Deep comparison: numbers within `delta` (NaN equals NaN, infinities exactly), labels when expected has them. */
export function sameValue(actual: unknown, expected: unknown, delta: number): boolean {
  if (typeof expected === 'number') {
    if (typeof actual !== 'number') return false;
    if (Number.isNaN(expected)) return Number.isNaN(actual);
    if (!Number.isFinite(expected)) return actual === expected;
    return Math.abs(actual - expected) <= delta;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return false;
    const el = labelsOf(expected);
    if (el) {
      const al = labelsOf(actual);
      if (!al || al.length !== el.length || al.some((l, i) => l !== el[i])) return false;
    }
    return expected.every((e, i) => sameValue(actual[i], e, delta));
  }
  if (isObject(expected)) {
    if (!isObject(actual)) return false;
    const keys = Object.keys(expected);
    return keys.length === Object.keys(actual).length && keys.every((k) => sameValue(actual[k], expected[k], delta));
  }
  return actual === expected;
}

export const show = (v: unknown): string =>
  JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x)) ?? String(v);
