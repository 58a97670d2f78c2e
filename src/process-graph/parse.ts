/**
 * JSON → typed graph. Never throws for problems in the graph: every structural problem is pushed to `errors` as
 * ProcessGraphInvalid so that validation can report all of them at once.
 */
import { OpenEOError } from '../errors.ts';
import type { Argument, ParsedGraph, ParsedNode } from './types.ts';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `where` names the graph in messages, e.g. "callback 'reducer' of node 'reduce1'". */
export function parseProcessGraph(def: unknown, errors: OpenEOError[], where = 'the process graph'): ParsedGraph {
  const invalid = (msg: string) => errors.push(new OpenEOError('ProcessGraphInvalid', `Invalid process graph: ${msg}`));
  const nodes = new Map<string, ParsedNode>();
  if (!isPlainObject(def) || Object.keys(def).length === 0) {
    invalid(`${where} must be a non-empty object of process nodes.`);
    return { nodes, resultId: '', endNodes: [] };
  }
  for (const [id, raw] of Object.entries(def)) {
    if (!isPlainObject(raw) || typeof raw.process_id !== 'string' || raw.process_id === '') {
      invalid(`node '${id}' in ${where} has no valid 'process_id'.`);
      continue;
    }
    if (raw.arguments !== undefined && !isPlainObject(raw.arguments)) {
      invalid(`'arguments' of node '${id}' in ${where} must be an object.`);
      continue;
    }
    const namespace = raw.namespace === undefined || raw.namespace === null ? null : raw.namespace;
    if (typeof namespace !== 'string' && namespace !== null) {
      invalid(`'namespace' of node '${id}' in ${where} must be a string or null.`);
      continue;
    }
    // without a prototype, a '__proto__' key of the JSON is an argument like any other (not silently dropped)
    const args: Record<string, Argument> = Object.create(null);
    for (const [name, value] of Object.entries(raw.arguments ?? {})) {
      args[name] = parseArgument(value, errors, `callback '${name}' of node '${id}' in ${where}`);
    }
    nodes.set(id, { id, processId: raw.process_id, namespace, args, isResult: raw.result === true });
  }

  const results = [...nodes.values()].filter((n) => n.isResult);
  if (results.length === 0 && nodes.size > 0) invalid(`${where} has no result node (set "result": true on one node).`);
  if (results.length > 1) invalid(`${where} has several result nodes: ${results.map((n) => `'${n.id}'`).join(', ')}.`);

  const consumed = new Set<string>();
  for (const node of nodes.values()) {
    for (const ref of nodeReferences(node)) {
      if (nodes.has(ref)) consumed.add(ref);
      else invalid(`node '${node.id}' in ${where} refers to the missing node '${ref}' (from_node).`);
    }
  }
  const cycle = findCycle(nodes);
  if (cycle) invalid(`${where} contains a cycle: ${cycle.map((id) => `'${id}'`).join(' → ')}.`);

  return {
    nodes,
    resultId: results.length === 1 ? results[0].id : '',
    endNodes: [...nodes.keys()].filter((id) => !consumed.has(id)),
  };
}

function parseArgument(value: unknown, errors: OpenEOError[], where: string): Argument {
  if (Array.isArray(value)) {
    const items = value.map((v) => parseArgument(v, errors, where));
    return items.every((a) => a.kind === 'value') ? { kind: 'value', value } : { kind: 'array', items };
  }
  if (!isPlainObject(value)) return { kind: 'value', value };
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'from_node' && typeof value.from_node === 'string') {
    return { kind: 'from_node', node: value.from_node };
  }
  if (keys.length === 1 && keys[0] === 'from_parameter' && typeof value.from_parameter === 'string') {
    return { kind: 'from_parameter', name: value.from_parameter };
  }
  if (isPlainObject(value.process_graph)) {
    return { kind: 'callback', graph: parseProcessGraph(value.process_graph, errors, where) };
  }
  const entries: Record<string, Argument> = Object.create(null);
  for (const [k, v] of Object.entries(value)) entries[k] = parseArgument(v, errors, where);
  return Object.values(entries).every((a) => a.kind === 'value') ? { kind: 'value', value } : { kind: 'object', entries };
}

/** The node ids this node's arguments refer to (not looking into callbacks: those are separate graphs). */
export function nodeReferences(node: ParsedNode): string[] {
  const refs: string[] = [];
  const walk = (arg: Argument): void => {
    if (arg.kind === 'from_node') refs.push(arg.node);
    else if (arg.kind === 'array') arg.items.forEach(walk);
    else if (arg.kind === 'object') Object.values(arg.entries).forEach(walk);
  };
  Object.values(node.args).forEach(walk);
  return refs;
}

/** Depth-first search with colours; returns one cycle as a list of node ids, or undefined. */
function findCycle(nodes: ReadonlyMap<string, ParsedNode>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    const s = state.get(id);
    if (s === 'done') return undefined;
    if (s === 'open') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'open');
    stack.push(id);
    for (const ref of nodeReferences(nodes.get(id)!)) {
      if (!nodes.has(ref)) continue;
      const found = visit(ref);
      if (found) return found;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of nodes.keys()) {
    const found = visit(id);
    if (found) return found;
  }
  return undefined;
}
