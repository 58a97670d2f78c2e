/** Worker thread entry: runs chunk tasks sent by the pool, one at a time, with its own caches. */
import { parentPort, workerData } from 'node:worker_threads';
import { isOpenEOError } from '../errors.ts';
import { runChunkTask, type ChunkTask } from './chunk-task.ts';
import { createWorkerEnv, type WorkerSettings } from './worker-env.ts';

type Message =
  | { type: 'run'; id: number; task: Omit<ChunkTask, 'plan'>; planId: string; plan?: ChunkTask['plan'] }
  | { type: 'abort'; planId: string }
  | { type: 'release'; planId: string };

const env = createWorkerEnv(workerData as WorkerSettings);
const plans = new Map<string, ChunkTask['plan']>();
const controllers = new Map<string, AbortController>();

parentPort!.on('message', async (msg: Message) => {
  if (msg.type === 'release' || msg.type === 'abort') {
    // canceled, failed or done: stop what still runs for the plan, forget it and the buffers kept for it
    controllers.get(msg.planId)?.abort(new Error('canceled'));
    const plan = plans.get(msg.planId);
    plans.delete(msg.planId);
    controllers.delete(msg.planId);
    if (plan) env.release(plan);
    return;
  }
  if (msg.plan) plans.set(msg.planId, msg.plan);
  let controller = controllers.get(msg.planId);
  if (!controller || controller.signal.aborted) controllers.set(msg.planId, (controller = new AbortController()));
  const plan = plans.get(msg.planId);
  try {
    if (!plan) throw new Error(`unknown plan ${msg.planId}`);
    const stats = await runChunkTask({ ...msg.task, plan }, env, controller.signal);
    parentPort!.postMessage({ id: msg.id, ok: true, stats });
  } catch (e) {
    const err = isOpenEOError(e)
      ? { code: e.code, message: e.message, status: e.status, extra: e.extra }
      : { code: 'Internal', message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined };
    parentPort!.postMessage({ id: msg.id, ok: false, error: err, aborted: controller.signal.aborted });
  }
});
