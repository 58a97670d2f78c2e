/**
 * The set of predefined processes a context offers. Built explicitly from definition lists (no discovery by file
 * name); later modules add their definitions or replace one by id with `replacing`.
 */
import { SchemaChecker } from '../process-graph/schema.ts';
import type { ProcessDefinition, ProcessResolver, ProcessSpec } from '../process-graph/types.ts';

export interface ProcessRegistry extends ProcessResolver {
  /** All definitions, sorted by id. */
  list(): readonly ProcessDefinition[];
  /** Validator of constant arguments for this registry (compiled schemas are cached per registry). */
  readonly schemas: SchemaChecker;
}

/** Throws on duplicate ids: a silent shadowing would make `GET /processes` lie. */
export function createProcessRegistry(definitions: Iterable<ProcessDefinition>): ProcessRegistry {
  const byId = new Map<string, ProcessDefinition>();
  for (const def of definitions) {
    if (byId.has(def.spec.id)) throw new Error(`Process '${def.spec.id}' is defined twice.`);
    byId.set(def.spec.id, def);
  }
  const sorted = [...byId.values()].sort((a, b) => a.spec.id.localeCompare(b.spec.id));
  return { get: (id) => byId.get(id), list: () => sorted, schemas: new SchemaChecker() };
}

/** `base` with the definitions in `replacements` swapped in by id (and new ids added). */
export function replacing(base: Iterable<ProcessDefinition>, replacements: Iterable<ProcessDefinition>): ProcessDefinition[] {
  const byId = new Map<string, ProcessDefinition>();
  for (const def of base) byId.set(def.spec.id, def);
  for (const def of replacements) byId.set(def.spec.id, def);
  return [...byId.values()];
}

/** The process documents for `GET /processes` (plain JSON, valid against the API's `process` schema). */
export function listProcessSpecs(registry: ProcessRegistry): ProcessSpec[] {
  return registry.list().map((def) => structuredClone(def.spec));
}
