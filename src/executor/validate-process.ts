import type { Limits } from '../config.ts';
import type { Db } from '../db/database.ts';
import { findProcessGraph, processGraphIds } from '../db/process-graphs.ts';
import { OpenEOError } from '../errors.ts';
import { validateProcessGraph, type ParameterSpec, type Program, type UserProcessDef } from '../process-graph/index.ts';
import type { ProcessRegistry } from '../processes/index.ts';

export interface ProcessValidator {
  /** All errors of a process (`{process_graph, parameters?}`) for a user; a program when there are none. */
  check(process: unknown, userId: string | undefined, signal?: AbortSignal, opts?: { allowUnresolvedParameters?: boolean }): Promise<{ program?: Program; errors: OpenEOError[] }>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validation wired to the registry, the user's stored processes and the configured complexity limits. */
export function processValidator(db: Db, registry: ProcessRegistry, limits: Limits): ProcessValidator {
  return {
    async check(process, userId, signal, opts) {
      if (!isObject(process) || !isObject(process.process_graph)) {
        return { errors: [new OpenEOError('ProcessGraphMissing', "Invalid process specified: it doesn't contain a 'process_graph' object.")] };
      }
      if (process.parameters !== undefined && process.parameters !== null) {
        const ok = Array.isArray(process.parameters) && process.parameters.every((p) => isObject(p) && typeof p.name === 'string' && /^\w+$/.test(p.name));
        if (!ok) return { errors: [new OpenEOError('ProcessGraphInvalid', "Invalid process: 'parameters' must be a list of objects, each with a 'name' made of letters, digits and underscores.")] };
      }
      const parameters = Array.isArray(process.parameters) ? (process.parameters as ParameterSpec[]) : [];
      let stored: Promise<Set<string>> | undefined;
      return validateProcessGraph(process.process_graph, {
        processes: registry,
        schemas: registry.schemas,
        parameters,
        limits: { maxNodes: limits.graphNodes, maxDepth: limits.graphDepth },
        signal,
        allowUnresolvedParameters: opts?.allowUnresolvedParameters,
        userProcesses: async (id, namespace) => {
          if (!userId || (namespace !== null && namespace !== 'user')) return undefined;
          stored ??= processGraphIds(db, userId);
          if (!(await stored).has(id)) return undefined;
          return (await findProcessGraph(db, userId, id))?.process as UserProcessDef | undefined;
        },
      });
    },
  };
}
