/**
 * Translation of an OpenAPI 3.0 document into JSON Schema (draft-07) as ajv reads it: `nullable`, `oneOf`,
 * `discriminator`, `x-` keys and example keys. Used by the official-spec oracle; pure, input is not modified.
 */

type Json = Record<string, any>;

const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions']);
const SUBSCHEMA = new Set(['items', 'additionalProperties', 'not', 'allOf', 'anyOf', 'oneOf', 'if', 'then', 'else']);
const DROPPED = new Set(['example', 'examples', 'discriminator', 'externalDocs', 'xml', 'deprecated', 'readOnly', 'writeOnly']);

/** Deep copy of the document with every schema translated; formats seen are added to `formats`. */
export function toJsonSchemaDocument(raw: Json, formats: Set<string>): Json {
  const doc = structuredClone(raw);
  const schemas: Json = doc.components?.schemas ?? {};
  expandDiscriminators(schemas);
  for (const name of Object.keys(schemas)) schemas[name] = toJsonSchema(schemas[name], formats);
  const walk = (o: any): any => {
    if (Array.isArray(o)) return o.map(walk);
    if (!o || typeof o !== 'object') return o;
    const out: Json = {};
    for (const [k, v] of Object.entries(o)) {
      if (k === 'example' || k === 'examples') continue;
      out[k] = k === 'schema' ? toJsonSchema(v, formats) : walk(v);
    }
    return out;
  };
  const { components, ...rest } = doc;
  return { ...walk(rest), components: { ...walk({ ...components, schemas: {} }), schemas } };
}

function toJsonSchema(s: any, formats: Set<string>): any {
  if (Array.isArray(s)) return s.map((x) => toJsonSchema(x, formats));
  if (!s || typeof s !== 'object') return s;
  const out: Json = {};
  for (const [k, v] of Object.entries<any>(s)) {
    if (k.startsWith('x-') || DROPPED.has(k) || k === 'nullable') continue;
    if (k === 'format' && typeof v === 'string') formats.add(v);
    if (SCHEMA_MAPS.has(k)) out[k] = Object.fromEntries(Object.entries(v).map(([n, x]) => [n, toJsonSchema(x, formats)]));
    else if (SUBSCHEMA.has(k)) out[k] = toJsonSchema(v, formats);
    else out[k] = v;
  }
  // The spec uses oneOf for "one of these shapes" with overlapping branches, e.g. process_json_schema's
  // catch-all "Generic"; read strictly, even its own examples fail. anyOf is what it means.
  if (out.oneOf) {
    if (out.anyOf) out.allOf = [...(out.allOf ?? []), { anyOf: out.oneOf }];
    else out.anyOf = out.oneOf;
    delete out.oneOf;
  }
  if (s.nullable !== true) return out;
  const combined = ['$ref', 'allOf', 'anyOf', 'oneOf', 'not'].some((k) => k in out);
  if (typeof out.type === 'string' && !combined) {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [{ type: 'null' }, out] };
}

/**
 * OpenAPI's discriminator says "also validate against the schema mapped from this property". The mapped
 * schemas usually extend the base via allOf, so a plain translation would recurse forever. Instead, the base
 * keeps a copy without the discriminator (`<name>__base`) for the mapped schemas to extend, and the base
 * itself becomes base-copy plus one if/then per mapping entry.
 */
function expandDiscriminators(schemas: Json): void {
  const found: { name: string; path: string[]; prop: string; mapping: Record<string, string> }[] = [];
  const find = (s: any, name: string, path: string[]): void => {
    if (!s || typeof s !== 'object') return;
    if (s.discriminator?.mapping) found.push({ name, path, prop: s.discriminator.propertyName, mapping: s.discriminator.mapping });
    for (const [k, v] of Object.entries(s)) if (k !== 'discriminator' && typeof v === 'object') find(v, name, [...path, k]);
  };
  for (const [name, s] of Object.entries(schemas)) find(s, name, []);
  const retarget = (s: any, from: string, to: string): void => {
    if (!s || typeof s !== 'object') return;
    if (s.$ref === from) s.$ref = to;
    for (const v of Object.values(s)) retarget(v, from, to);
  };
  for (const d of found) {
    for (const ref of Object.values(d.mapping)) {
      retarget(schemas[ref.split('/').pop()!], `#/components/schemas/${d.name}`, `#/components/schemas/${d.name}__base`);
    }
  }
  for (const d of found) {
    const base = structuredClone(schemas[d.name]);
    delete d.path.reduce((o, k) => o[k], base).discriminator;
    schemas[`${d.name}__base`] = base;
    const branches = Object.entries(d.mapping).map(([value, ref]) => ({
      if: { properties: { [d.prop]: { const: value } }, required: [d.prop] },
      then: { $ref: ref },
    }));
    schemas[d.name] = { allOf: [{ $ref: `#/components/schemas/${d.name}__base` }, ...branches] };
  }
}
