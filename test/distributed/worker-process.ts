/**
 * A distributed worker as its own process, for the tests: configured from the environment like
 * `openeo-backend worker`, with a short lease so that a killed worker's task comes back within seconds.
 */
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { startDistributedWorker } from '../../src/distributed/index.ts';

const config = loadConfig(process.env);
const logger = pino({ level: process.env.WORKER_LOG_LEVEL ?? 'warn' }, pino.destination(2));
const worker = await startDistributedWorker({
  config,
  logger,
  concurrency: 1,
  chunksPerTask: Number(process.env.CHUNKS_PER_TASK ?? 2),
  statusPollMs: 500,
  pollSeconds: 0.5,
  queue: { leaseSeconds: 10, superviseSeconds: 1, retryLimit: 4 },
  // lets the test kill this process while it holds a task
  onTaskStart: (queue, data) => process.stdout.write(`task ${queue} ${(data as { jobId: string }).jobId}\n`),
});
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void worker.stop(10_000).then(() => process.exit(0));
});
