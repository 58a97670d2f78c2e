/**
 * Labeled arrays (e.g. the band values of one pixel passed to a reducer over `bands`) are plain JS arrays with their
 * labels attached under a symbol: every array process works on them unchanged, and the ones that care about labels
 * (array_element, array_append, array_concat, …) read them here. JSON serialisation drops the labels.
 */
export type Label = string | number;

const LABELS = Symbol('openeo.labels');

type WithLabels = { [LABELS]?: readonly Label[] };

/** Attaches labels to `values` (same length) and returns it. */
export function withLabels<T>(values: T[], labels: readonly Label[]): T[] {
  if (values.length !== labels.length) throw new Error('A labeled array needs exactly one label per value.');
  Object.defineProperty(values, LABELS, { value: labels, enumerable: false });
  return values;
}

/** The labels of a labeled array, or undefined for an ordinary array. */
export const labelsOf = (values: readonly unknown[]): readonly Label[] | undefined => (values as WithLabels)[LABELS];
