/**
 * Recognises reducer callbacks that are a single statistic over the reduced values, e.g.
 * `{"max": {"process_id": "max", "arguments": {"data": {"from_parameter": "data"}}, "result": true}}`, possibly with a
 * constant `ignore_nodata` (and, for count, `condition: true` or null), so that reduce_dimension can stream.
 */
import { simpleCall } from '../../process-graph/callback-shape.ts';
import type { ParsedGraph } from '../../process-graph/types.ts';
import type { BufferedKind } from './buffered.ts';
import type { StreamingKind } from './reducers.ts';

export type ReducerSpec =
  | { streaming: true; kind: StreamingKind; ignoreNodata: boolean; countAll: boolean }
  | { streaming: false; kind: BufferedKind; ignoreNodata: boolean };

const STREAMING: ReadonlySet<string> = new Set<StreamingKind>(['max', 'min', 'sum', 'mean', 'product', 'count', 'first', 'last', 'any', 'all']);
const BUFFERED: ReadonlySet<string> = new Set<BufferedKind>(['median', 'sd', 'variance']);

/** The reducer a callback graph computes, or undefined if it is anything else (then use a BufferedReducer with the interpreter). */
export function recognizeReducer(graph: ParsedGraph, dataParameter = 'data'): ReducerSpec | undefined {
  const call = simpleCall(graph);
  if (!call || call.namespace !== null) return undefined;
  const id = call.processId;
  if (!STREAMING.has(id) && !BUFFERED.has(id)) return undefined;
  let ignoreNodata = true;
  let countAll = false;
  let sawData = false;
  for (const [name, a] of Object.entries(call.args)) {
    if (name === 'data') {
      if (!('parameter' in a) || a.parameter !== dataParameter) return undefined;
      sawData = true;
    } else if (name === 'ignore_nodata' && id !== 'count') {
      if (!('value' in a) || (a.value !== null && typeof a.value !== 'boolean')) return undefined;
      ignoreNodata = a.value ?? true;
    } else if (name === 'condition' && id === 'count') {
      if (!('value' in a) || (a.value !== null && a.value !== true)) return undefined;
      countAll = a.value === true;
    } else if (name === 'context' && id === 'count') {
      // only a condition callback would read it
    } else return undefined;
  }
  if (!sawData) return undefined;
  return STREAMING.has(id)
    ? { streaming: true, kind: id as StreamingKind, ignoreNodata, countAll }
    : { streaming: false, kind: id as BufferedKind, ignoreNodata };
}
