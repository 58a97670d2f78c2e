/**
 * Everything a chunk needs where it runs (a worker thread, the main thread, or later another machine), built from
 * plain, serializable settings: the results store, a COG reader with its caches, and the kernels.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { BufferArena } from '../datacube/arena.ts';
import { createKernelProvider } from '../datacube/kernel-provider.ts';
import type { EvalDeps } from '../datacube/chunk-eval.ts';
import type { ProcessLimits } from '../process-graph/types.ts';
import { createLoadReader, type ReadStats } from '../datacube/load-reader.ts';
import { CogReader } from '../raster/cog-reader.ts';
import { openSource } from '../raster/open-source.ts';
import { loadS3Sdk } from '../raster/s3-source.ts';
import { countingSource, countingStore, type IoCounters } from './chunk-stats.ts';
import { createObjectStore } from '../storage/create-object-store.ts';
import type { ObjectStore } from '../storage/index.ts';
import type { GuardedFetch } from '../security/outbound.ts';
import type { OutboundPolicy } from '../security/outbound-policy.ts';

export interface WorkerSettings {
  storageUrl: string;
  s3: { endpoint?: string; region: string; forcePathStyle: boolean; accessKeyId?: string; secretAccessKey?: string };
  /** Rules for COG reads over HTTP(S) (plain data, so it crosses into worker threads). */
  outbound?: OutboundPolicy;
  /** What the callbacks' processes may allocate, as configured. */
  processLimits: ProcessLimits;
}

export interface WorkerEnv {
  store: ObjectStore;
  deps: EvalDeps;
  stats: ReadStats;
  /** Bytes read from inputs and written to the store by everything run in this environment. */
  io: IoCounters;
  /** Buffers reused by the chunks of one plan (they run one at a time per plan here). */
  arenaFor(plan: object): BufferArena;
  /** The work of `plan` is done: drop the buffers and decoded blocks kept for it. */
  release(plan: object): void;
  close(): Promise<void>;
}

export function s3Options(s: WorkerSettings['s3']) {
  return {
    endpoint: s.endpoint,
    region: s.region,
    forcePathStyle: s.forcePathStyle,
    ...(s.accessKeyId && s.secretAccessKey ? { credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } } : {}),
  };
}

export function createWorkerEnv(settings: WorkerSettings): WorkerEnv {
  const io: IoCounters = { bytesRead: 0, bytesWritten: 0 };
  const store = countingStore(createObjectStore(settings.storageUrl, { s3: s3Options(settings.s3) }), io);
  let s3: Promise<S3Client> | undefined;
  // The guard and undici behind it (a few MB per thread) load at the first HTTP read: most jobs read files or S3.
  const policy = settings.outbound;
  let guard: Promise<GuardedFetch> | undefined;
  const loadGuard = (p: OutboundPolicy) => (guard ??= import('../security/outbound.ts').then((m) => m.createGuardedFetch(p)));
  const guarded = policy ? async (input: string | URL | Request, init?: RequestInit) => (await loadGuard(policy))(input, init) : undefined;
  const sources = {
    // Asset hrefs on s3:// are read with the configured S3 credentials (same store family as the results).
    s3: () => (s3 ??= loadS3Sdk().then((sdk) => new sdk.S3Client({ ...s3Options(settings.s3), requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }))),
    ...(guarded ? { http: { fetch: guarded as unknown as typeof fetch } } : {}),
  };
  const reader = new CogReader({
    // blocks straddling the edges of neighbouring compute windows are decoded once
    decodedBlockBytes: 32 * 1024 * 1024,
    openSource: (href) => countingSource(openSource(href, sources), io),
  });
  const stats: ReadStats = { windows: 0, pixels: 0 };
  // per plan, so that chunks of two jobs interleaving on this thread never share a buffer
  const arenas = new WeakMap<object, BufferArena>();
  return {
    store,
    stats,
    io,
    deps: { kernels: createKernelProvider(settings.processLimits), loads: createLoadReader(reader, stats) },
    arenaFor(plan) {
      let a = arenas.get(plan);
      if (!a) arenas.set(plan, (a = new BufferArena()));
      return a;
    },
    release(plan) {
      arenas.get(plan)?.clear();
      arenas.delete(plan);
      reader.clearDecodedBlocks();
    },
    async close() {
      if (s3) (await s3.catch(() => undefined))?.destroy();
      if (guard) await (await guard).close();
      await store.close();
    },
  };
}
