/**
 * Recognises callbacks that are a single process applied to the callback's parameters and constants, e.g. the
 * reducer `max(data: {from_parameter: data})`, so that data cube processes can use a typed-array kernel instead of
 * calling the interpreter per pixel.
 */
import type { ParsedGraph } from './types.ts';

export interface SimpleCall {
  processId: string;
  namespace: string | null;
  /** Per argument: the callback parameter it reads, or the constant it holds. */
  args: Readonly<Record<string, { parameter: string } | { value: unknown }>>;
}

export function simpleCall(graph: ParsedGraph): SimpleCall | undefined {
  if (graph.nodes.size !== 1) return undefined;
  const node = graph.nodes.get(graph.resultId);
  if (!node) return undefined;
  const args: Record<string, { parameter: string } | { value: unknown }> = {};
  for (const [name, arg] of Object.entries(node.args)) {
    if (arg.kind === 'from_parameter') args[name] = { parameter: arg.name };
    else if (arg.kind === 'value') args[name] = { value: arg.value };
    else return undefined;
  }
  return { processId: node.processId, namespace: node.namespace, args };
}
