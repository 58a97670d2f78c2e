/**
 * Everything a chunk needs where it runs (a worker thread, the main thread, or later another machine), built from
 * plain, serializable settings: the results store, a COG reader with its caches, and the kernels.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { createKernelProvider } from '../datacube/kernel-provider.ts';
import type { EvalDeps } from '../datacube/chunk-eval.ts';
import { createLoadReader, type ReadStats } from '../datacube/load-reader.ts';
import { CogReader } from '../raster/cog-reader.ts';
import { createObjectStore, type ObjectStore } from '../storage/index.ts';

export interface WorkerSettings {
  storageUrl: string;
  s3: { endpoint?: string; region: string; forcePathStyle: boolean; accessKeyId?: string; secretAccessKey?: string };
}

export interface WorkerEnv {
  store: ObjectStore;
  deps: EvalDeps;
  stats: ReadStats;
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
  const store = createObjectStore(settings.storageUrl, { s3: s3Options(settings.s3) });
  let s3: S3Client | undefined;
  const reader = new CogReader({
    sources: {
      // Asset hrefs on s3:// are read with the configured S3 credentials (same store family as the results).
      s3: () => (s3 ??= new S3Client({ ...s3Options(settings.s3), requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' })),
    },
  });
  const stats: ReadStats = { windows: 0, pixels: 0 };
  return {
    store,
    stats,
    deps: { kernels: createKernelProvider(), loads: createLoadReader(reader, stats) },
    async close() {
      s3?.destroy();
      await store.close();
    },
  };
}
