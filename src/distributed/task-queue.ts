/**
 * Where the task functions send follow-up tasks. Distributed runs send them to pg-boss (any worker takes them);
 * the embedded default runs them in this process (local-queue.ts). Task ids are stable: sending a task whose id
 * was sent before is a no-op, so a retried planner or finisher never doubles work.
 */
import type { PgBoss } from 'pg-boss';
import type { QUEUES } from './queue.ts';

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface Task {
  id: string;
  data: object;
  /** Higher runs first; equal priorities run in the order sent. */
  priority?: number;
  /** Not before this many seconds from now. */
  startAfterSeconds?: number;
  /** Tasks of one group (a user) are limited in how many run at once across all workers. */
  group?: string;
}

export interface TaskQueue {
  send(queue: QueueName, tasks: Task[]): Promise<void>;
}

export function pgBossTaskQueue(boss: PgBoss): TaskQueue {
  return {
    async send(queue, tasks) {
      for (let i = 0; i < tasks.length; i += 500) {
        await boss.insert(
          queue,
          tasks.slice(i, i + 500).map((t) => ({
            id: t.id,
            data: t.data,
            ...(t.priority !== undefined ? { priority: t.priority } : {}),
            ...(t.startAfterSeconds ? { startAfter: t.startAfterSeconds } : {}),
            ...(t.group ? { group: { id: t.group } } : {}),
          })),
        );
      }
    },
  };
}
