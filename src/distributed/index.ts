export { startDistributedWorker, type DistributedWorker, type DistributedWorkerOptions } from './worker.ts';
export { enqueueJob, openQueue, QUEUES, type QueueSettings } from './queue.ts';
export { deadTask, finalizeJob, planJob, runChunks, type TaskContext } from './tasks.ts';
