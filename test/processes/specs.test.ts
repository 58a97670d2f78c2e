/**
 * Our process specs against the official ones (same parameter names and required-ness, types that accept at least
 * what the official schema accepts, same subtypes) and against the API's `process` schema used by GET /processes.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import YAML from 'yaml';
import type { ParameterSchema } from '../../src/process-graph/types.ts';
import { createProcessRegistry, listProcessSpecs, scalarProcesses } from '../../src/processes/index.ts';
import { cubeProcesses } from '../../src/processes/cube/index.ts';
import { REFERENCE } from './official-cases.ts';

const registry = createProcessRegistry([...scalarProcesses(), ...cubeProcesses()]);

interface OfficialProcess {
  id: string;
  parameters: { name: string; optional?: boolean; schema: ParameterSchema }[];
  returns: { schema: ParameterSchema };
}

const official = (id: string): OfficialProcess => {
  const file = new URL(`${id}.json`, REFERENCE);
  // Experimental processes such as load_stac live in proposals/.
  return JSON.parse(readFileSync(existsSync(file) ? file : new URL(`proposals/${id}.json`, REFERENCE), 'utf8'));
};

const ALL_TYPES = ['array', 'boolean', 'integer', 'null', 'number', 'object', 'string'];

/** JSON types a schema admits at its top level (a schema without `type` admits everything). */
function typesOf(schema: ParameterSchema): Set<string> {
  const out = new Set<string>();
  for (const s of Array.isArray(schema) ? schema : [schema]) {
    const alts = (s.anyOf ?? s.oneOf) as ParameterSchema | undefined;
    if (alts) typesOf(alts).forEach((t) => out.add(t));
    else if (s.type === undefined) ALL_TYPES.forEach((t) => out.add(t));
    else for (const t of [s.type].flat() as string[]) out.add(t);
  }
  if (out.has('number')) out.add('integer');
  return out;
}

const subtypesOf = (schema: ParameterSchema): Set<string> =>
  new Set((Array.isArray(schema) ? schema : [schema]).map((s) => s.subtype as string | undefined).filter((s) => s !== undefined));

function assertCompatible(ours: ParameterSchema, theirs: ParameterSchema, where: string): void {
  const mine = typesOf(ours);
  for (const t of typesOf(theirs)) assert.ok(mine.has(t), `${where}: official schema allows ${t}, ours does not`);
  const myTypes = subtypesOf(ours);
  for (const t of subtypesOf(theirs)) assert.ok(myTypes.has(t), `${where}: subtype ${t} missing`);
}

test('every spec matches the official parameters, required-ness and types', () => {
  for (const def of registry.list()) {
    const ref = official(def.spec.id);
    const spec = def.spec;
    assert.deepEqual(spec.parameters.map((p) => p.name), ref.parameters.map((p) => p.name), `${spec.id}: parameter names`);
    for (const p of ref.parameters) {
      const mine = spec.parameters.find((q) => q.name === p.name)!;
      assert.equal(mine.optional === true, p.optional === true, `${spec.id}.${p.name}: optional`);
      assertCompatible(mine.schema, p.schema, `${spec.id}.${p.name}`);
    }
    assertCompatible(spec.returns.schema, ref.returns.schema, `${spec.id} returns`);
    assert.ok(spec.description.length > 20 && spec.summary.length > 0, `${spec.id}: documented`);
  }
});

/**
 * OpenAPI 3.0 → JSON schema: `nullable` becomes a null type where a type is given (dropped where none is). And
 * `oneOf` becomes `anyOf`: the API lists a catch-all "Generic" alternative next to the specific ones in
 * process_json_schema, so a strict oneOf rejects every schema (the official process files included).
 */
function openApiToJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(openApiToJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (k !== 'nullable') out[k === 'oneOf' ? 'anyOf' : k] = openApiToJsonSchema(v);
  const n = node as Record<string, unknown>;
  if (n.nullable === true && n.type !== undefined) out.type = [...new Set([n.type, 'null'].flat())];
  return out;
}

test('listProcessSpecs returns documents valid against the openEO API process schema', () => {
  const api = YAML.parse(readFileSync(new URL('../openeo-api/openapi.yaml', REFERENCE), 'utf8'));
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, logger: false });
  ajv.addSchema({ $id: 'api', components: openApiToJsonSchema(api.components) }, 'api');
  const validate = ajv.compile({
    allOf: [{ $ref: 'api#/components/schemas/process' }],
    required: ['id', 'description', 'parameters', 'returns'],
  });
  // The validator must accept the official documents themselves, or it proves nothing about ours.
  for (const def of registry.list()) {
    const doc = official(def.spec.id);
    assert.ok(validate(doc), `official ${def.spec.id}: ${ajv.errorsText(validate.errors)}`);
  }
  assert.equal(validate({ id: 'x', description: 'd', parameters: [{ name: 'x', schema: {} }], returns: { schema: {} } }), false);
  const specs = listProcessSpecs(registry);
  assert.equal(specs.length, registry.list().length);
  for (const spec of specs) {
    assert.ok(validate(JSON.parse(JSON.stringify(spec))), `${spec.id}: ${ajv.errorsText(validate.errors)}`);
  }
});
