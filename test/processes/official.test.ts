/**
 * Every official test case (openeo-processes/tests/<id>.json5) for the processes of this module, run as a one-node
 * process graph through validation and the interpreter, exactly as a client's graph would be.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { isOpenEOError } from '../../src/errors.ts';
import { evaluateProgram } from '../../src/process-graph/evaluate.ts';
import { callbackParameters } from '../../src/process-graph/schema.ts';
import { validateProcessGraph } from '../../src/process-graph/validate.ts';
import { createProcessRegistry, scalarProcesses } from '../../src/processes/index.ts';
import { decode, loadCases, sameValue, show, unsupportedFeature, type OfficialCase } from './official-cases.ts';

export const PROCESS_IDS = (
  'max min mean median sum product count first last sd variance quantiles extrema add subtract multiply divide ' +
  'absolute sgn sqrt power exp ln log floor ceil round int clip linear_scale_range eq neq gt gte lt lte between and ' +
  'or xor not if is_nodata is_nan is_valid array_element array_create array_concat array_append array_contains ' +
  'array_find array_apply sort normalized_difference ndvi constant pi e'
).split(' ');

/** Cases whose expectation contradicts the process description they test (index in the file's `tests`). */
const ERRATA: Record<string, string> = {
  'array_element#3': "erratum: asks for label 'BO2' (letter O) in an array labeled B01..B03 yet expects the value of B02",
  'array_append#0': 'erratum: appending 0 to [] is expected to give [1]',
  'array_find#6': 'erratum: value 3 is the first element (index 0) but index 1 is expected',
  'count#4': "erratum: the condition reads parameter 'element', but count's callback parameter is 'x'",
  'count#5': "erratum: the condition reads parameter 'element', but count's callback parameter is 'x'",
  'product#10': 'erratum: -Infinity * Infinity is -Infinity under IEEE 754 (which the spec requires), NaN expected',
  'array_apply#8': "erratum: the callback calls 'mulitply' (sic), which is no process",
  'lte#15': 'erratum: Infinity <= Infinity is true under IEEE 754 (and gte/eq say equal), false expected',
};

const registry = createProcessRegistry(scalarProcesses());
const tally = { total: 0, passed: 0, skipped: new Map<string, number>() };
const skip = (reason: string) => tally.skipped.set(reason, (tally.skipped.get(reason) ?? 0) + 1);

/** Some files still write parameter references the openEO 0.4 way, `from_argument`; today it is `from_parameter`. */
const fromArgument = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(fromArgument);
  if (typeof v !== 'object' || v === null) return v;
  const o = v as Record<string, unknown>;
  if (Object.keys(o).length === 1 && typeof o.from_argument === 'string') return { from_parameter: o.from_argument };
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, fromArgument(x)]));
};

async function runCase(id: string, c: OfficialCase): Promise<{ value?: unknown; error?: unknown }> {
  const params = registry.get(id)!.spec.parameters;
  const args: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(c.arguments)) {
    const param = params.find((p) => p.name === name);
    // The test files give callbacks as bare graphs; in a process graph they are wrapped in {process_graph}.
    const isGraph = param && callbackParameters(param.schema) && typeof raw === 'object' && raw !== null && !Array.isArray(raw) &&
      Object.values(raw).every((n) => typeof n === 'object' && n !== null && 'process_id' in n);
    const callback = param && callbackParameters(param.schema);
    args[name] = isGraph ? { process_graph: fromArgument(raw) } : callback ? fromArgument(decode(raw)) : decode(raw);
  }
  const { program, errors } = await validateProcessGraph(
    { node: { process_id: id, arguments: args, result: true } },
    { processes: registry, schemas: registry.schemas },
  );
  if (!program) return { error: errors[0] };
  try {
    return { value: await evaluateProgram(program, { signal: AbortSignal.timeout(10_000) }) };
  } catch (error) {
    return { error };
  }
}

function verdict(c: OfficialCase, outcome: { value?: unknown; error?: unknown }): string | undefined {
  if ('error' in outcome && outcome.error !== undefined) {
    const e = outcome.error;
    if (c.throws === true) return undefined;
    if (typeof c.throws === 'string' && isOpenEOError(e) && (e.extra?.exception === c.throws || e.code === c.throws)) {
      return undefined;
    }
    return `threw ${isOpenEOError(e) ? `${e.code}: ${e.message}` : String(e)}; expected ${c.throws !== undefined ? `exception ${c.throws}` : show(c.returns)}`;
  }
  if (!('returns' in c)) return `returned ${show(outcome.value)}; expected exception ${c.throws}`;
  return sameValue(outcome.value, decode(c.returns), c.delta ?? 1e-10)
    ? undefined
    : `returned ${show(outcome.value)}; expected ${show(c.returns)}`;
}

for (const id of PROCESS_IDS) {
  test(`official cases: ${id}`, async () => {
    assert.ok(registry.get(id), `process ${id} is registered`);
    const failures: string[] = [];
    for (const [i, c] of loadCases(id).entries()) {
      tally.total++;
      const reason =
        ERRATA[`${id}#${i}`] ??
        unsupportedFeature(c.arguments) ??
        unsupportedFeature(c.returns) ??
        (c.required ?? []).filter((r) => !registry.get(r)).map((r) => `needs process ${r}`)[0];
      if (reason) {
        skip(reason);
        continue;
      }
      const problem = verdict(c, await runCase(id, c));
      if (problem) failures.push(`#${i} ${show(c.arguments)}: ${problem}`);
      else tally.passed++;
    }
    assert.deepEqual(failures, [], `${id}: ${failures.length} failing case(s)`);
  });
}

after(() => {
  const skipped = [...tally.skipped.values()].reduce((a, b) => a + b, 0);
  console.log(`official openEO process cases: total ${tally.total}, passed ${tally.passed}, skipped ${skipped}`);
  for (const [reason, n] of tally.skipped) console.log(`  skipped ${n}: ${reason}`);
});
