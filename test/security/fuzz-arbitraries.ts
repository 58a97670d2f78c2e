/**
 * Generators for hostile request bodies: random process graphs (real and bogus process ids, references to
 * nodes and parameters that may or may not exist, nested callbacks, odd keys and strings), mutations of the
 * project's real example graphs, and raw texts that are not quite JSON.
 */
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';

const EXAMPLES = new URL('../../process-graphs/', import.meta.url);

/** The `process` objects of process-graphs/*.json plus small graphs, as mutation seeds. */
export function seedProcesses(): Record<string, unknown>[] {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json'));
  const seeds = files.map((f) => (JSON.parse(readFileSync(new URL(f, EXAMPLES), 'utf8')) as { process: Record<string, unknown> }).process);
  seeds.push(
    { process_graph: { a: { process_id: 'add', arguments: { x: 1, y: 2 }, result: true } } },
    {
      parameters: [{ name: 'x', schema: { type: 'number' } }],
      process_graph: {
        arr: { process_id: 'array_create', arguments: { data: [1, 2, 3] } },
        el: { process_id: 'array_element', arguments: { data: { from_node: 'arr' }, index: { from_parameter: 'x' } } },
        m: { process_id: 'multiply', arguments: { x: { from_node: 'el' }, y: 2 }, result: true },
      },
    },
  );
  return seeds;
}

const PROCESS_IDS = [
  'add', 'multiply', 'divide', 'array_element', 'array_create', 'array_apply', 'apply', 'reduce_dimension', 'load_collection',
  'load_stac', 'save_result', 'filter_bbox', 'filter_temporal', 'mask', 'max', 'mean', 'if', 'eq', 'sum', 'count',
  'merge_cubes', 'resample_spatial', 'aggregate_temporal_period', 'quantiles', 'linear_scale_range', 'no_such_process',
];
/** Keys that trip naive object handling. */
const NASTY_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'process_graph', 'from_node', 'result', ''];
/** Written as a string, replaced by an out-of-range number literal in the text (JSON.stringify cannot). */
export const BIG_NUMBER = '\u0001BIGNUM\u0001';

const nodeName = fc.oneof(fc.constantFrom('a', 'b', 'load', 'save', 'n1'), fc.constantFrom(...NASTY_KEYS), fc.string({ maxLength: 8 }));
const oddString = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', '\udfff x', '2023-02-30', '10000-01-01', 'NaN', '-Infinity', 'EPSG:999999', BIG_NUMBER),
);
const oddNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, -1, 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, -(2 ** 53)),
);

export const hostileGraph = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    oddNumber,
    oddString,
    fc.record({ from_node: fc.oneof(nodeName, fc.integer(), fc.constant(null)) }),
    fc.record({ from_parameter: fc.oneof(fc.constantFrom('x', 'data', 'context', 'y'), fc.string({ maxLength: 5 }), fc.constant(null)) }),
    fc.record({ process_graph: tie('graph') }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom('west', 'south', 'east', 'north', 'crs', 'type', 'coordinates'), fc.constantFrom(...NASTY_KEYS)), tie('value'), { maxKeys: 4 }),
  ),
  node: fc.record(
    {
      process_id: fc.oneof(fc.constantFrom(...PROCESS_IDS), fc.string({ maxLength: 10 }), fc.integer(), fc.constant(null)),
      namespace: fc.oneof(fc.constantFrom(null, 'user', 'backend', 'https://example.org/x.json'), fc.string({ maxLength: 6 }), fc.integer()),
      arguments: fc.oneof(fc.dictionary(fc.oneof(fc.constantFrom('x', 'y', 'data', 'process', 'index', 'id', 'spatial_extent', 'temporal_extent', 'format', 'reducer', 'dimension', 'url'), fc.constantFrom(...NASTY_KEYS)), tie('value'), { maxKeys: 4 }), tie('value')),
      result: fc.oneof(fc.boolean(), tie('value')),
      description: oddString,
    },
    { requiredKeys: ['process_id'] },
  ),
  graph: fc.oneof({ depthSize: 'small' }, fc.dictionary(nodeName, tie('node'), { minKeys: 1, maxKeys: 5 }), tie('value')),
}));

/** A whole `process` object: graph plus optional parameters/returns of any shape. */
export const hostileProcess = fc.record(
  {
    process_graph: hostileGraph.graph,
    parameters: fc.oneof(fc.array(fc.record({ name: oddString, schema: fc.oneof(fc.object(), hostileGraph.value), optional: fc.boolean(), default: hostileGraph.value }, { requiredKeys: [] }), { maxLength: 3 }), hostileGraph.value),
    returns: hostileGraph.value,
    id: fc.oneof(oddString, fc.integer()),
    summary: oddString,
  },
  { requiredKeys: ['process_graph'] },
);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Mutation = { path: number[]; op: 'delete' | 'replace' | 'wrap' | 'rename' | 'clone'; value: unknown; key: string };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  path: fc.array(fc.nat(40), { minLength: 1, maxLength: 9 }),
  op: fc.constantFrom('delete', 'replace', 'replace', 'wrap', 'rename', 'clone'),
  value: hostileGraph.value,
  key: nodeName,
});

/** Applies a mutation at the container reached by walking `path` (each step picks a child by index modulo). */
export function mutate(root: Json, m: Mutation): Json {
  const copy = structuredClone(root);
  let parent: Json = copy;
  for (let i = 0; i < m.path.length - 1; i++) {
    if (typeof parent !== 'object' || parent === null) break;
    const keys = Object.keys(parent);
    if (keys.length === 0) break;
    const child: Json = (parent as Record<string, Json>)[keys[m.path[i] % keys.length]];
    if (typeof child !== 'object' || child === null) break;
    parent = child;
  }
  if (typeof parent !== 'object' || parent === null) return copy;
  const keys = Object.keys(parent);
  const target = keys.length ? keys[m.path[m.path.length - 1] % keys.length] : m.key;
  const obj = parent as Record<string, Json>;
  // own properties only: 'hasOwnProperty' and friends must not pick up inherited functions
  const at = (k: string): Json => (Object.hasOwn(obj, k) ? obj[k] : null);
  switch (m.op) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(Number(target), 1);
      else delete obj[target];
      break;
    case 'replace':
      // cloned: fast-check may hand the same instance to several mutations, which could build a cycle
      obj[target] = structuredClone(m.value) as Json;
      break;
    case 'wrap':
      obj[target] = [at(target)];
      break;
    case 'rename':
      if (!Array.isArray(parent)) {
        const v = at(target);
        delete obj[target];
        obj[m.key] = v;
      }
      break;
    case 'clone':
      if (!Array.isArray(parent)) obj[m.key] = structuredClone(at(target));
      break;
  }
  return copy;
}

/** A mutated copy of one of the seeds (1 to 4 mutations). */
export function mutatedProcess(seeds: Record<string, unknown>[]): fc.Arbitrary<unknown> {
  return fc.tuple(fc.nat(seeds.length - 1), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([i, ms]) => ms.reduce<Json>((acc, m) => mutate(acc, m), seeds[i] as Json));
}

/** Paths of the primitive values (and whole arrays) inside nodes' `arguments`, at any callback depth. */
function argumentLeaves(v: Json, path: (string | number)[] = [], inArgs = false, out: (string | number)[][] = []): (string | number)[][] {
  if (typeof v !== 'object' || v === null) {
    if (inArgs) out.push(path);
    return out;
  }
  if (Array.isArray(v)) {
    if (inArgs) out.push(path);
    v.forEach((x, i) => argumentLeaves(x, [...path, i], inArgs, out));
    return out;
  }
  for (const [k, x] of Object.entries(v)) argumentLeaves(x, [...path, k], inArgs || k === 'arguments', out);
  return out;
}

const leafValue = fc.oneof(
  oddNumber,
  oddString,
  fc.constant(null),
  fc.boolean(),
  fc.record({ from_node: nodeName }),
  fc.record({ from_parameter: fc.constantFrom('x', 'data', 'context', 'nope') }),
  fc.array(oddNumber, { maxLength: 5 }),
  fc.constantFrom([], [null, null], ['2023-09-01', '2023-08-01'], [1e308, -1e308], { west: 1, east: 0, south: 1, north: 0 }),
);

/**
 * Seeds with only argument values replaced: the request schema still holds, so these reach the graph validator
 * and, for valid graphs, the executor (absurd extents, inverted intervals, wrong types deep inside callbacks).
 */
export function leafMutatedProcess(seeds: Record<string, unknown>[]): fc.Arbitrary<unknown> {
  const leaves = seeds.map((sd) => argumentLeaves(sd as Json));
  return fc
    .tuple(fc.nat(seeds.length - 1), fc.array(fc.tuple(fc.nat(), leafValue), { minLength: 1, maxLength: 3 }))
    .map(([i, edits]) => {
      const copy = structuredClone(seeds[i]) as Json;
      for (const [pick, value] of edits) {
        const path = leaves[i][pick % leaves[i].length];
        let parent: Json = copy;
        // an earlier edit may have replaced a container on this path by a primitive: then skip this edit
        for (const step of path.slice(0, -1)) parent = typeof parent === 'object' && parent !== null ? (parent as Record<string | number, Json>)[step] : null;
        if (typeof parent === 'object' && parent !== null) (parent as Record<string | number, Json>)[path[path.length - 1]] = structuredClone(value) as Json;
      }
      return copy;
    });
}

/** Serializes a body; BIG_NUMBER strings become number literals outside the double range. */
export function toText(body: unknown): string {
  return JSON.stringify(body).replaceAll(JSON.stringify(BIG_NUMBER), '1e400');
}

/** Texts that are not (quite) JSON, or JSON of the wrong top-level type. */
export const brokenText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', 'null', '[]', '"process"', '1e400', '{"process": null}', '{"process": {"process_graph": null}}', '{"__proto__": {"admin": true}, "process": {}}', '{"process":{"process_graph":{}}}', '{"a":1,"a":2}', '\ufeff{}'),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  hostileProcess.map((p) => toText(p).slice(0, -1)),
);
