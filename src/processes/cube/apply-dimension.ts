import { graphToJson } from '../../datacube/callback-json.ts';
import { cube, type CallbackSpec, type CubeNode } from '../../datacube/types.ts';
import { OpenEOError } from '../../errors.ts';
import type { ProcessDefinition } from '../../process-graph/index.ts';
import { CONTEXT_PARAM, CUBE, callbackSchema, cubeArg, dimensionKind } from './common.ts';

/**
 * apply_dimension over bands, expressed with the operations the chunk evaluator already has: each value the
 * callback returns (one per element of a final `array_create`, or the single value) becomes a band computed like a
 * reduce_dimension callback over the input bands, and the bands are merged side by side.
 */
const applyDimension: ProcessDefinition = {
  spec: {
    id: 'apply_dimension',
    summary: 'Apply a process to all values along a dimension',
    description:
      'Runs a callback on the values along a dimension (`data`, a labeled array) and puts what it returns in place of ' +
      'that dimension. Supported: the bands dimension, with a callback returning one value or an `array_create` of ' +
      'per-pixel expressions over the bands (for example several band indices at once).',
    categories: ['cubes'],
    parameters: [
      { name: 'data', description: 'A data cube.', schema: CUBE },
      {
        name: 'process',
        description: 'The callback; receives the values along the dimension as `data`.',
        schema: callbackSchema([
          { name: 'data', description: 'A labeled array of the values along the dimension.', schema: { type: 'array', subtype: 'labeled-array', items: { description: 'Any data type.' } } },
          { name: 'context', description: 'Additional data.', optional: true },
        ]),
      },
      { name: 'dimension', description: 'The dimension to apply the process along.', schema: { type: 'string' } },
      { name: 'target_dimension', description: 'A new name for the dimension; null keeps its name.', schema: { type: ['string', 'null'] }, optional: true, default: null },
      CONTEXT_PARAM,
    ],
    returns: { description: 'The cube with the dimension replaced.', schema: CUBE },
  },
  run(args) {
    const data = cubeArg(args, 'data');
    const kind = dimensionKind('apply_dimension', data.meta, args.string('dimension'));
    if (kind !== 'bands') {
      throw new OpenEOError('FeatureUnsupported', 'apply_dimension is supported along the bands dimension only so far; use reduce_dimension or aggregate_temporal_period over time.');
    }
    const cb = args.callback('process');
    const json = graphToJson(cb.graph);
    const result = cb.graph.nodes.get(cb.graph.resultId)!;
    const list = result.processId === 'array_create' ? result.args.data : undefined;
    const targets: string[] = [];
    if (list?.kind === 'array') {
      for (const item of list.items) {
        if (item.kind !== 'from_node') {
          throw new OpenEOError('FeatureUnsupported', 'apply_dimension: each element of the returned array_create must come from a process node.');
        }
        targets.push(item.node);
      }
    } else if (list?.kind === 'value' && Array.isArray(list.value)) {
      throw new OpenEOError('FeatureUnsupported', 'apply_dimension: the callback returns constants only.');
    } else {
      targets.push(result.id);
    }
    const input = data.meta.bands!.labels;
    const labels = targets.length === input.length ? [...input] : targets.map((_, i) => `band_${i}`);
    // Each band's graph keeps only the nodes its value depends on (every end node of a graph runs).
    const refs = (v: unknown, out: Set<string>): Set<string> => {
      if (Array.isArray(v)) v.forEach((x) => refs(x, out));
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (typeof o.from_node === 'string') out.add(o.from_node);
        else if (!('process_graph' in o)) Object.values(o).forEach((x) => refs(x, out));
      }
      return out;
    };
    const callbackFor = (nodeId: string): CallbackSpec => {
      const keep = new Set<string>();
      const visit = (id: string) => {
        if (keep.has(id)) return;
        keep.add(id);
        refs(json[id].arguments, new Set()).forEach(visit);
      };
      visit(nodeId);
      const graph = Object.fromEntries([...keep].map((id) => [id, { ...json[id], result: id === nodeId }]));
      return { graph, parameterNames: [...cb.parameterNames], context: args.get('context') ?? null };
    };
    let node: CubeNode | undefined;
    let have = 0;
    for (const id of targets) {
      const band: CubeNode = { op: 'reduce_bands', input: data.node, callback: callbackFor(id), labels: input };
      node = node
        ? {
            op: 'merge',
            a: node,
            b: band,
            bandMap: [...Array.from({ length: have }, (_, i) => ({ from: 'a' as const, a: i })), { from: 'b' as const, b: 0 }],
            timeMap: (data.meta.time?.labels ?? ['#']).map((_, t) => ({ a: t, b: t })),
          }
        : band;
      have++;
    }
    const target = args.get('target_dimension') as string | null;
    return cube({ ...data.meta, bands: { name: target ?? data.meta.bands!.name, labels }, dtype: 'float32' }, node!);
  },
};

export const applyDimensionProcesses: ProcessDefinition[] = [applyDimension];
