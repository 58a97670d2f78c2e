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

export function graphFromJson(json: ProcessGraphDef): ParsedGraph {
  const errors: OpenEOError[] = [];
  const graph = parseProcessGraph(json, errors, 'a callback');
  if (errors.length > 0) throw errors[0];
  return graph;
}
