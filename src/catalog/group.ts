/**
 * Time steps from items, as odc-stac's `groupby="time"` forms them: items with the identical `datetime` instant
 * form one step, steps ascend, and items within a step are sorted by id (the mosaic takes the first valid pixel,
 * so this order decides results).
 */
import { itemTimeRange } from './filter.ts';
import type { StacItem } from './types.ts';

export interface TimeStep {
  /** ISO 8601 UTC label, e.g. `2023-08-01T01:23:45Z` (milliseconds only when non-zero). */
  label: string;
  /** Milliseconds since the epoch. */
  time: number;
  items: StacItem[];
}

export function isoLabel(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** Code-unit order, like Python's `sorted()`, not locale order. */
const byId = (a: StacItem, b: StacItem) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Items with a range instead of a `datetime` are grouped by their start. */
export function groupByDatetime(items: Iterable<StacItem>): TimeStep[] {
  const steps = new Map<number, StacItem[]>();
  for (const item of items) {
    const t = itemTimeRange(item)[0];
    const list = steps.get(t);
    if (list) list.push(item);
    else steps.set(t, [item]);
  }
  return [...steps.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([time, list]) => ({ label: isoLabel(time), time, items: list.sort(byId) }));
}
