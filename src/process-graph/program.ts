/** The output of validation: a parsed graph whose every node is resolved to what it calls. Evaluation needs one. */
import type { ParameterSpec, ParsedGraph, ParsedNode, ProcessDefinition } from './types.ts';

export interface UserProgram {
  readonly id: string;
  readonly namespace: string | null;
  /** null: the stored process declares no parameters, so its arguments are passed as given. */
  readonly parameters: readonly ParameterSpec[] | null;
  readonly graph: ParsedGraph;
}

export type Target =
  | { readonly kind: 'process'; readonly def: ProcessDefinition }
  | { readonly kind: 'user'; readonly program: UserProgram };

export interface Program {
  readonly graph: ParsedGraph;
  /** Parameters of the top-level graph (e.g. when it is itself a user-defined process). */
  readonly parameters: readonly ParameterSpec[];
  /** Every node of the graph, its callbacks and the user-defined processes it calls. */
  readonly targets: ReadonlyMap<ParsedNode, Target>;
  /** The parameters each callback graph is called with, as declared by the process receiving it. */
  readonly callbackParameters: ReadonlyMap<ParsedGraph, readonly ParameterSpec[]>;
}
