/**
 * Results that are plain values (numbers, arrays, objects) encoded as JSON, for POST /result and batch jobs alike.
 *
 * Each array a process makes is bounded (LIMIT_ARRAY_ELEMENTS), but arrays may hold the same array many times over
 * (array_create of `[big]` with a large `repeat`): small in memory, `repeat` times `big` as text. So the values are
 * counted as the text would write them, stopping at the limit, before any text is built.
 */
import { OpenEOError } from '../errors.ts';

/**
 * V8 strings end below 2^29 characters, where JSON.stringify throws a RangeError; half of that keeps the encoded
 * response (one byte per character at least) within a few hundred megabytes.
 */
const MAX_JSON_CHARS = 2 ** 28;
/** Upper bound of a number's text (`-1.2345678901234567e+308`), so numbers need no formatting to be counted. */
const NUMBER_CHARS = 24;

export function encodeJsonResult(value: unknown, maxValues: number): Uint8Array {
  const over = oversize(value ?? null, maxValues);
  if (over) {
    throw new OpenEOError(
      'ProcessGraphComplexity',
      `The result would hold more than ${over === 'values' ? `${maxValues} values (LIMIT_ARRAY_ELEMENTS)` : `${MAX_JSON_CHARS} characters`} as JSON; reduce it to fewer values first.`,
    );
  }
  return new TextEncoder().encode(JSON.stringify(value ?? null));
}

/**
 * Which bound the JSON text of `value` would exceed, if any. Values are the elements and members of arrays and
 * objects, so that an array at the limit is still a result; at most `maxValues` are visited.
 */
function oversize(value: unknown, maxValues: number): 'values' | 'chars' | undefined {
  let values = 0;
  let chars = 0;
  // a stack rather than recursion: nesting is as deep as the graph is long
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') chars += v.length + 2;
    else if (Array.isArray(v)) {
      if ((values += v.length) > maxValues) return 'values';
      chars += 2 + v.length;
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    } else if (typeof v === 'object' && v !== null) {
      const entries = Object.entries(v);
      if ((values += entries.length) > maxValues) return 'values';
      for (const [k, item] of entries) {
        chars += k.length + 4;
        stack.push(item);
      }
    } else chars += NUMBER_CHARS;
    if (chars > MAX_JSON_CHARS) return 'chars';
  }
  return undefined;
}
