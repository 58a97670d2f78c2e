/**
 * Callbacks travel inside cube plans as plain JSON (the openEO `process_graph` form) so a plan can cross thread and
 * machine boundaries; where the chunk runs they are parsed again.
 */
import { OpenEOError } from '../errors.ts';
import { parseProcessGraph } from '../process-graph/index.ts';
import type { Argument, ParsedGraph, ProcessGraphDef } from '../process-graph/index.ts';

export type ParsedGraphJson = ProcessGraphDef;

function argumentJson(arg: Argument): unknown {
  switch (arg.kind) {
    case 'value':
      return arg.value;
    case 'from_node':
      return { from_node: arg.node };
    case 'from_parameter':
      return { from_parameter: arg.name };
    case 'callback':
      return { process_graph: graphToJson(arg.graph) };
    case 'array':
      return arg.items.map(argumentJson);
    case 'object':
      return Object.fromEntries(Object.entries(arg.entries).map(([k, v]) => [k, argumentJson(v)]));
  }
}

export function graphToJson(graph: ParsedGraph): ProcessGraphDef {
  const out: ProcessGraphDef = {};
  for (const node of graph.nodes.values()) {
    out[node.id] = {
      process_id: node.processId,
      ...(node.namespace ? { namespace: node.namespace } : {}),
      arguments: Object.fromEntries(Object.entries(node.args).map(([k, v]) => [k, argumentJson(v)])),
      ...(node.isResult ? { result: true } : {}),
    };
  }
  return out;
}

/** The part of a graph that node `id` depends on, with that node as the result (every end node of a graph runs). */
export function subgraph(json: ProcessGraphDef, id: string): ProcessGraphDef {
  const refs = (v: unknown, out: Set<string>): Set<string> => {
    if (Array.isArray(v)) v.forEach((x) => refs(x, out));
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.from_node === 'string') out.add(o.from_node);
      else if (!('process_graph' in o)) Object.values(o).forEach((x) => refs(x, out));
    }
    return out;
  };
  const keep = new Set<string>();
  const visit = (n: string) => {
    if (keep.has(n)) return;
    keep.add(n);
    refs(json[n].arguments, new Set()).forEach(visit);
  };
  visit(id);
  return Object.fromEntries([...keep].map((n) => [n, { ...json[n], result: n === id }]));
}

/**
 * The nodes giving the elements of a final `array_create` (without `repeat`) whose elements all come from process
 * nodes, or undefined for any other result.
 */
export function arrayElements(graph: ParsedGraph): string[] | undefined {
  const result = graph.nodes.get(graph.resultId)!;
  const list = result.processId === 'array_create' && !('repeat' in result.args) ? result.args.data : undefined;
  if (list?.kind !== 'array' || list.items.length === 0) return undefined;
  const ids = list.items.map((i) => (i.kind === 'from_node' ? i.node : undefined));
  return ids.every((id) => id !== undefined) ? (ids as string[]) : undefined;
}

export function graphFromJson(json: ProcessGraphDef): ParsedGraph {
  const errors: OpenEOError[] = [];
  const graph = parseProcessGraph(json, errors, 'a callback');
  if (errors.length > 0) throw errors[0];
  return graph;
}
