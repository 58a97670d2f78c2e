/** Error constructors with the wording used everywhere in the engine and the processes (always name process + parameter). */
import { OpenEOError } from '../errors.ts';

const describe = (v: unknown): string => {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object' && (v as { kind?: unknown }).kind === 'callback') return 'a process graph (callback)';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)?.slice(0, 40) ?? ''}`.trim();
};

/** `at` optionally locates the node, e.g. "node 'a' in the process graph". */
const located = (at?: string) => (at ? ` (${at})` : '');

export const parameterInvalid = (processId: string, parameter: string, reason: string, at?: string): OpenEOError =>
  new OpenEOError(
    'ProcessParameterInvalid',
    `The value passed for parameter '${parameter}' in process '${processId}' is invalid: ${reason}${located(at)}`,
  );

/** Names the setting, so that an operator who meets it in a log knows which knob it is. */
export const arrayTooLarge = (processId: string, parameter: string, elements: number, max: number): OpenEOError =>
  new OpenEOError(
    'ProcessParameterInvalid',
    `${processId}: '${parameter}' would make an array of ${elements} elements; at most ${max} are allowed (LIMIT_ARRAY_ELEMENTS).`,
  );

export const parameterTypeMismatch = (processId: string, parameter: string, expected: string, got: unknown) =>
  parameterInvalid(processId, parameter, `expected ${expected}, got ${describe(got)}.`);

export const parameterRequired = (processId: string, parameter: string, at?: string): OpenEOError =>
  new OpenEOError('ProcessParameterRequired', `Process '${processId}' requires parameter '${parameter}' to be set${located(at)}.`);

export const parameterUnsupported = (processId: string, parameter: string, at?: string): OpenEOError =>
  new OpenEOError('ProcessParameterUnsupported', `Process '${processId}' does not support parameter '${parameter}'${located(at)}.`);

export const processUnsupported = (processId: string, namespace: string | null, at?: string): OpenEOError =>
  new OpenEOError(
    'ProcessUnsupported',
    namespace === null
      ? `Process '${processId}' is neither a predefined process of this back-end nor one of your user-defined processes${located(at)}.`
      : `Process '${processId}' is not available in namespace '${namespace}'${located(at)}.`,
  );

/**
 * A process-specific exception from the spec (e.g. ArrayElementNotAvailable): its name is the error's code (the API
 * allows codes beyond its own list, as raise_error does) and leads the message.
 */
export const processException = (processId: string, exception: string, message: string): OpenEOError =>
  OpenEOError.processException(exception, `${exception}: ${message} (process '${processId}')`, { exception });

export const graphInvalid = (message: string): OpenEOError =>
  new OpenEOError('ProcessGraphInvalid', `Invalid process graph: ${message}`);

export const graphTooComplex = (message: string): OpenEOError =>
  new OpenEOError('ProcessGraphComplexity', `The process graph is too complex: ${message}`);
