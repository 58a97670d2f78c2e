/** Public surface of the process graph engine. */
export { createProcessArgs } from './args.ts';
export { simpleCall, type SimpleCall } from './callback-shape.ts';
export * from './errors.ts';
export { evaluateProgram, type EvaluateOptions } from './evaluate.ts';
export { DEFAULT_PROCESS_LIMITS, checkArraySize } from './limits.ts';
export { parseProcessGraph, nodeReferences } from './parse.ts';
export { planGraph, type PlanOptions } from './plan.ts';
export type { Program, Target, UserProgram } from './program.ts';
export { SchemaChecker, callbackParameters } from './schema.ts';
export { Scope } from './scope.ts';
export type * from './types.ts';
export { validateProcessGraph, type ValidateOptions, type ValidationResult } from './validate.ts';
