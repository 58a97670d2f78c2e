/**
 * Every per-pixel operation the kernels compile, against the interpreter with the scalar processes, on random planes
 * with no-data, NaN, infinities, ±0, 0 and 255, for Float32 and Float64 inputs, with and without masks, in both
 * code generation modes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileCallback, type Plane } from '../../src/datacube/kernels/index.ts';
import type { ProcessGraphDef } from '../../src/process-graph/types.ts';
import { assertSamePlane, interpret, node, parse, randomPlane } from './oracle.ts';

const N = 300;
const X = { from_parameter: 'x' };
const Y = { from_parameter: 'y' };

interface Case {
  name: string;
  graph: ProcessGraphDef;
  booleans?: ('x' | 'y')[];
}

const unary = (id: string, extra: Record<string, unknown> = {}, param = 'x'): Case => ({
  name: `${id}(${Object.entries(extra).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')})`,
  graph: node(id, { [param]: X, ...extra }),
});

const CASES: Case[] = [
  unary('absolute'),
  unary('sgn'),
  unary('sqrt'),
  unary('exp', {}, 'p'),
  unary('ln'),
  unary('floor'),
  unary('ceil'),
  unary('int'),
  unary('round'),
  unary('round', { p: 1 }),
  unary('round', { p: -1 }),
  unary('clip', { min: -1, max: 2.5 }),
  unary('clip', { min: 0, max: 0 }),
  unary('linear_scale_range', { inputMin: 0, inputMax: 255 }),
  unary('linear_scale_range', { inputMin: 10, inputMax: -2, outputMin: 100, outputMax: 0 }),
  unary('between', { min: 0, max: 255 }),
  unary('between', { min: -1, max: 1, exclude_max: true }),
  unary('between', { min: 2, max: 1 }),
  unary('is_nodata'),
  unary('is_nan'),
  unary('is_valid'),
  unary('constant'),
];
for (const id of ['add', 'subtract', 'multiply', 'divide', 'normalized_difference', 'eq', 'neq', 'gt', 'gte', 'lt', 'lte']) {
  CASES.push({ name: `${id}(x, y)`, graph: node(id, { x: X, y: Y }) });
  CASES.push({ name: `${id}(x, 255)`, graph: node(id, { x: X, y: 255 }) });
  CASES.push({ name: `${id}(0.5, y)`, graph: node(id, { x: 0.5, y: Y }) });
  CASES.push({ name: `${id}(x, null)`, graph: node(id, { x: X, y: null }) });
}
CASES.push(
  { name: 'power(x, y)', graph: node('power', { base: X, p: Y }) },
  { name: 'power(x, 2)', graph: node('power', { base: X, p: 2 }) },
  { name: 'power(2, y)', graph: node('power', { base: 2, p: Y }) },
  { name: 'log(x, y)', graph: node('log', { x: X, base: Y }) },
  { name: 'log(x, 10)', graph: node('log', { x: X, base: 10 }) },
  { name: 'log(x, 2)', graph: node('log', { x: X, base: 2 }) },
  { name: 'eq(x, y, delta)', graph: node('eq', { x: X, y: Y, delta: 0.5 }) },
  { name: 'neq(x, 1, delta)', graph: node('neq', { x: X, y: 1, delta: 1 }) },
  { name: 'eq(x, "a")', graph: node('eq', { x: X, y: 'a' }) },
  { name: 'neq(x, "a")', graph: node('neq', { x: X, y: 'a' }) },
  { name: 'eq(x, true)', graph: node('eq', { x: X, y: true }) },
  { name: 'neq(bool x, bool y)', graph: node('neq', { x: X, y: Y }), booleans: ['x', 'y'] },
  { name: 'eq(bool x, y)', graph: node('eq', { x: X, y: Y }), booleans: ['x'] },
  { name: 'eq(bool x, true)', graph: node('eq', { x: X, y: true }), booleans: ['x'] },
  { name: 'gt(bool x, 0)', graph: node('gt', { x: X, y: 0 }), booleans: ['x'] },
  { name: 'between(bool x)', graph: node('between', { x: X, min: 0, max: 1 }), booleans: ['x'] },
  { name: 'is_nan(bool x)', graph: node('is_nan', { x: X }), booleans: ['x'] },
  { name: 'is_valid(bool x)', graph: node('is_valid', { x: X }), booleans: ['x'] },
  { name: 'is_nodata(bool x)', graph: node('is_nodata', { x: X }), booleans: ['x'] },
);
for (const id of ['and', 'or', 'xor']) {
  CASES.push({ name: `${id}(x, y)`, graph: node(id, { x: X, y: Y }), booleans: ['x', 'y'] });
  CASES.push({ name: `${id}(x, null)`, graph: node(id, { x: X, y: null }), booleans: ['x'] });
  CASES.push({ name: `${id}(false, y)`, graph: node(id, { x: false, y: Y }), booleans: ['y'] });
  CASES.push({ name: `${id}(true, y)`, graph: node(id, { x: true, y: Y }), booleans: ['y'] });
}
CASES.push(
  { name: 'not(x)', graph: node('not', { x: X }), booleans: ['x'] },
  { name: 'if(x, y)', graph: node('if', { value: X, accept: Y }), booleans: ['x'] },
  { name: 'if(x, 1, y)', graph: node('if', { value: X, accept: 1, reject: Y }), booleans: ['x'] },
  { name: 'if(x, null, y)', graph: node('if', { value: X, accept: null, reject: Y }), booleans: ['x'] },
  { name: 'if(x, y, y)', graph: node('if', { value: X, accept: Y, reject: Y }), booleans: ['x', 'y'] },
  { name: 'if(x, true, false)', graph: node('if', { value: X, accept: true, reject: false }), booleans: ['x'] },
  { name: 'if(true, y, 3)', graph: node('if', { value: true, accept: Y, reject: 3 }) },
);

const parametersOf = (c: Case) => (JSON.stringify(c.graph).includes('"y"') ? ['x', 'y', 'context'] : ['x', 'context']);

const variants = [
  { name: 'float64, masked', kind: 'float64' as const, nulls: 0.2 },
  { name: 'float32, masked', kind: 'float32' as const, nulls: 0.2 },
  { name: 'float64, no mask', kind: 'float64' as const, nulls: 0 },
];

describe('compiled operations equal the scalar processes', () => {
  for (const [ci, c] of CASES.entries()) {
    test(c.name, async () => {
      const parameterNames = parametersOf(c);
      const types = Object.fromEntries((c.booleans ?? []).map((p) => [p, 'boolean' as const]));
      for (const [vi, v] of variants.entries()) {
        const planes: Record<string, Plane> = {};
        for (const [pi, p] of ['x', 'y'].entries()) {
          if (!parameterNames.includes(p)) continue;
          planes[p] = randomPlane({ n: N, seed: 1000 * ci + 10 * vi + pi, nulls: v.nulls, kind: v.kind, boolean: types[p] === 'boolean' });
        }
        const expected = await interpret(c.graph, parameterNames, { planes, booleans: c.booleans });
        assert.ok(!expected.some((e) => typeof e === 'object' && e !== null), `the interpreter fails: ${JSON.stringify(expected.find((e) => typeof e === 'object' && e !== null))}`);
        for (const mode of ['fused', 'nodes'] as const) {
          const kernel = compileCallback(parse(c.graph), parameterNames, { types, mode, onUnsupported: (r) => assert.fail(r) });
          assert.ok(kernel);
          assertSamePlane(kernel.run(planes), expected, `${c.name} [${v.name}, ${mode}]`);
        }
      }
    });
  }
});
