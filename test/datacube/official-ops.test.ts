/**
 * The official test cases (openeo-processes/tests/<id>.json5) of the per-pixel processes, run through compiled
 * kernels: the value arguments become 1-pixel planes (null → a no-data pixel), the others stay constants.
 * Cases the kernels leave to the interpreter (errors, strings, arrays) are counted as skipped with their reason.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileCallback, type Plane, type ValueType } from '../../src/datacube/kernels/index.ts';
import { decode, loadCases, sameValue } from '../processes/official-cases.ts';
import { parse } from './oracle.ts';

/** Per process: its per-pixel arguments; logic ones take booleans. */
const PIXEL_ARGS: Record<string, string[]> = {
  absolute: ['x'], sgn: ['x'], sqrt: ['x'], exp: ['p'], ln: ['x'], floor: ['x'], ceil: ['x'], round: ['x'], int: ['x'],
  clip: ['x'], linear_scale_range: ['x'], add: ['x', 'y'], subtract: ['x', 'y'], multiply: ['x', 'y'], divide: ['x', 'y'],
  power: ['base', 'p'], log: ['x', 'base'], normalized_difference: ['x', 'y'], eq: ['x', 'y'], neq: ['x', 'y'],
  gt: ['x', 'y'], gte: ['x', 'y'], lt: ['x', 'y'], lte: ['x', 'y'], between: ['x'], and: ['x', 'y'], or: ['x', 'y'],
  xor: ['x', 'y'], not: ['x'], if: ['value', 'accept', 'reject'], is_nodata: ['x'], is_nan: ['x'], is_valid: ['x'],
  constant: ['x'], pi: [], e: [],
};
const BOOLEAN_ARGS = new Set(['and.x', 'and.y', 'or.x', 'or.y', 'xor.x', 'xor.y', 'not.x', 'if.value']);
/** Same errata as test/processes/official.test.ts. */
const ERRATA = new Set(['lte#15']);

test('official cases of the per-pixel processes through compiled kernels', (t) => {
  let ran = 0;
  const skipped = new Map<string, number>();
  const skip = (why: string) => skipped.set(why, (skipped.get(why) ?? 0) + 1);
  for (const [id, pixelArgs] of Object.entries(PIXEL_ARGS)) {
    for (const [k, c] of loadCases(id).entries()) {
      if (ERRATA.has(`${id}#${k}`)) { skip('erratum'); continue; }
      if (c.throws) { skip('expects an error (the interpreter raises it)'); continue; }
      const args: Record<string, unknown> = {};
      const planes: Record<string, Plane> = {};
      const types: Record<string, ValueType> = {};
      let p = 0;
      for (const [name, raw] of Object.entries(c.arguments)) {
        const v = decode(raw);
        if (pixelArgs.includes(name) && (v === null || typeof v === 'number' || typeof v === 'boolean')) {
          const param = `p${p++}`;
          args[name] = { from_parameter: param };
          types[param] = typeof v === 'boolean' || (v === null && BOOLEAN_ARGS.has(`${id}.${name}`)) ? 'boolean' : 'number';
          planes[param] = { data: Float64Array.of(typeof v === 'boolean' ? (v ? 1 : 0) : (v ?? 0)), valid: Uint8Array.of(v === null ? 0 : 1) };
        } else args[name] = v;
      }
      const kernel = compileCallback(parse({ n: { process_id: id, arguments: args, result: true } }), Object.keys(types), { types });
      if (!kernel) { skip('not compiled (left to the interpreter)'); continue; }
      const out = kernel.run(planes, { data: new Float64Array(1), valid: new Uint8Array(1) });
      const raw = out.valid && out.valid[0] === 0 ? null : out.data[0];
      const actual = raw === null ? null : kernel.resultType === 'boolean' ? raw === 1 : raw;
      assert.ok(sameValue(actual, decode(c.returns), c.delta ?? 1e-10), `${id}#${k} ${JSON.stringify(c.arguments)}: got ${actual}, expected ${JSON.stringify(c.returns)}`);
      ran++;
    }
  }
  t.diagnostic(`ran ${ran}; skipped ${JSON.stringify(Object.fromEntries(skipped))}`);
  assert.ok(ran > 300);
});
