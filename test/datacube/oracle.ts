/**
 * The oracle for the kernels: the real interpreter running the same callback graph with the scalar processes of
 * src/processes, pixel by pixel. Plus random planes full of the values that break things (no-data, NaN, ±Infinity,
 * ±0, 0 and 255, halves).
 */
import assert from 'node:assert/strict';
import { mulberry32 } from '../../src/demo-data/prng.ts';
import { evaluateProgram } from '../../src/process-graph/evaluate.ts';
import type { ProcessGraphDef } from '../../src/process-graph/types.ts';
import { validateProcessGraph } from '../../src/process-graph/validate.ts';
import { createProcessRegistry, scalarProcesses, withLabels, type Label } from '../../src/processes/index.ts';
import { parseProcessGraph } from '../../src/process-graph/parse.ts';
import type { Plane } from '../../src/datacube/kernels/index.ts';

export const registry = createProcessRegistry(scalarProcesses());

/** Deterministic PRNG (mulberry32, the demo generator's) so that failures reproduce. */
export const rng = mulberry32;

const SPECIAL = [0, -0, 1, -1, 2, 255, 254, 0.5, -0.5, 1.5, 2.5, -2.5, 0.35, 7.25, 10, 100, -100, 1e300, -1e300, 1e-300, NaN, Infinity, -Infinity];

export interface RandomPlaneOptions {
  n: number;
  seed: number;
  /** Share of no-data pixels (0 = no mask at all). */
  nulls?: number;
  kind?: 'float32' | 'float64';
  /** Booleans (0/1) instead of numbers. */
  boolean?: boolean;
  /** Restrict to small integers 0..255 (like uint8 data). */
  bytes?: boolean;
}

export function randomPlane(o: RandomPlaneOptions): Plane {
  const r = rng(o.seed);
  const data = o.kind === 'float32' ? new Float32Array(o.n) : new Float64Array(o.n);
  const valid = (o.nulls ?? 0) > 0 ? new Uint8Array(o.n) : null;
  for (let i = 0; i < o.n; i++) {
    const u = r();
    data[i] = o.boolean ? (u < 0.5 ? 0 : 1) : o.bytes ? (u < 0.2 ? 255 : u < 0.35 ? 0 : Math.floor(r() * 256)) : u < 0.6 ? SPECIAL[Math.floor(r() * SPECIAL.length)] : (r() - 0.5) * 10 ** Math.floor(r() * 8 - 3);
    if (valid) valid[i] = r() < o.nulls! ? 0 : 1;
  }
  return { data, valid };
}

/** The value of pixel i as the interpreter sees it. */
export function pixel(p: Plane, i: number, boolean = false): number | boolean | null {
  if (p.valid && p.valid[i] === 0) return null;
  return boolean ? p.data[i] !== 0 : p.data[i];
}

export interface OracleOptions {
  /** Parameters and their planes (single) or band planes (`data`). */
  planes: Record<string, Plane | Plane[]>;
  labels?: readonly Label[];
  context?: unknown;
  booleans?: readonly string[];
}

/** Runs the callback graph through validation and the interpreter for every pixel. */
export async function interpret(graph: ProcessGraphDef, parameterNames: readonly string[], o: OracleOptions): Promise<unknown[]> {
  const { program, errors } = await validateProcessGraph(graph, {
    processes: registry,
    schemas: registry.schemas,
    parameters: parameterNames.map((name) => ({ name, description: name, schema: {}, optional: true, default: null })),
  });
  if (!program) throw errors[0];
  const first = Object.values(o.planes)[0];
  const n = (Array.isArray(first) ? first[0] : first).data.length;
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const args: Record<string, unknown> = { context: o.context ?? null };
    for (const [name, p] of Object.entries(o.planes)) {
      const isBool = o.booleans?.includes(name) ?? false;
      args[name] = Array.isArray(p) ? withLabels(p.map((b) => pixel(b, i, isBool)), o.labels ?? p.map((_, k) => k)) : pixel(p, i, isBool);
    }
    try {
      out.push(await evaluateProgram(program, { signal: AbortSignal.timeout(10_000), arguments: args }));
    } catch (e) {
      out.push({ error: (e as Error).message });
    }
  }
  return out;
}

export const parse = (graph: ProcessGraphDef) => parseProcessGraph(graph, []);

/** Asserts that a kernel result equals the interpreter's values pixel by pixel (NaN equals NaN, -0 is not 0). */
export function assertSamePlane(actual: Plane, expected: readonly unknown[], what: string): void {
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const isNull = actual.valid !== null && actual.valid[i] === 0;
    const a = isNull ? null : actual.data[i];
    const ev = typeof e === 'boolean' ? (e ? 1 : 0) : e;
    if (isNull ? ev === null : typeof ev === 'number' && Object.is(a, ev)) continue;
    assert.fail(`${what}: pixel ${i}: kernel gives ${String(a)}, interpreter ${JSON.stringify(e, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))}`);
  }
}

/** One-node callback graph. */
export function node(processId: string, args: Record<string, unknown>): ProcessGraphDef {
  return { n: { process_id: processId, arguments: args, result: true } };
}
