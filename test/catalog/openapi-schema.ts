/** Validators built from the official openEO OpenAPI document (refs resolved by ajv inside that document). */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import YAML from 'yaml';

const SPEC = '/work/shared/reference/openeo-api/openapi.yaml';
const ID = 'https://openeo.test/openapi.json';

/** JSON pointer segment → URI fragment segment. */
const seg = (s: string) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'));

type Json = Record<string, any>;

function stripDiscriminators(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(stripDiscriminators);
  if (typeof node !== 'object' || node === null) return;
  delete (node as Json).discriminator;
  Object.values(node).forEach(stripDiscriminators);
}

/**
 * ajv cannot apply OpenAPI discriminators without `oneOf`, and openEO's dimension schemas use bare mappings. Left
 * out, `cube:dimensions` would only be checked for `type`. So the mappings of `dimension` (by type) and
 * `dimension_spatial` (by axis) become if/then dispatches where dimensions are used; the mapped schemas refer
 * back to their base, so dispatching inside the base itself would recurse forever.
 */
function dispatchDimensions(schemas: Json): Json {
  const mapping = (schema: Json): Record<string, string> => schema.discriminator?.mapping ?? schema.allOf?.map(mapping).find(Boolean);
  const byType = mapping(schemas.dimension);
  const byAxis = mapping(schemas.dimension_spatial);
  const when = (props: Json, ref: string) => ({ if: { properties: props, required: Object.keys(props) }, then: { $ref: ref } });
  const branches = Object.entries(byType).filter(([t]) => t !== 'spatial').map(([t, ref]) => when({ type: { const: t } }, ref));
  for (const [axis, ref] of Object.entries(byAxis)) branches.push(when({ type: { const: 'spatial' }, axis: { const: axis } }, ref));
  return { allOf: [{ $ref: '#/components/schemas/dimension' }, ...branches] };
}

export function openapiValidators() {
  const doc = YAML.parse(readFileSync(SPEC, 'utf8'));
  const dims = dispatchDimensions(doc.components.schemas);
  stripDiscriminators(doc);
  doc.components.schemas.collection.properties['cube:dimensions'].additionalProperties = dims;
  // Unknown OpenAPI 3.0 keywords (examples, x-…) are ignored; `nullable` is native to ajv.
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;
  addFormats(ajv);
  ajv.addFormat('commonmark', true);
  ajv.addSchema({ ...doc, $id: ID });
  const compile = (...pointer: string[]): ValidateFunction => ajv.compile({ $ref: `${ID}#/${pointer.map(seg).join('/')}` });
  const response = (p: string) => compile('paths', p, 'get', 'responses', '200', 'content', p.endsWith('queryables') ? 'application/schema+json' : 'application/json', 'schema');
  return {
    collection: compile('components', 'schemas', 'collection'),
    describeResponse: response('/collections/{collection_id}'),
    listResponse: response('/collections'),
    queryablesResponse: response('/collections/{collection_id}/queryables'),
  };
}

export function errorsOf(v: ValidateFunction): string {
  return JSON.stringify(v.errors?.slice(0, 5), null, 1);
}
