import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { ContextParts } from './context.ts';
import type { Db } from './db/database.ts';
import { createCollectionCatalog, createItemSource, loadCollections, openStacUrl } from './catalog/index.ts';
import { OpenEOError } from './errors.ts';
import { createChunkPool } from './executor/pool.ts';
import { s3Options } from './executor/worker-env.ts';
import { rasterFormats } from './formats/writers.ts';
import { cubeProcesses } from './processes/cube/index.ts';
import { GraphJobExecutor, type GraphJobExecutorDeps } from './executor/job-executor.ts';
import { SyncRunner } from './executor/sync-runner.ts';
import { estimateJob } from './executor/estimate.ts';
import { processValidator } from './executor/validate-process.ts';
import { FormatRegistry, GTIFF_INPUT, JSON_FORMAT } from './formats/registry.ts';
import { createProcessRegistry, listProcessSpecs, scalarProcesses } from './processes/index.ts';
import { resultsDocument } from './results/document.ts';
import { ResultSigner } from './results/signing.ts';
import { createObjectStore } from './storage/index.ts';
import { collectionUrls, createGuardedFetch, outboundPolicy } from './security/outbound.ts';

/** The processing side of the context: processes, collections, formats, storage and the job executor. */
export async function defaultParts(config: Config, db: Db, secret: string, logger: Logger): Promise<ContextParts> {
  const registry = createProcessRegistry([...scalarProcesses(), ...cubeProcesses()]);
  const specs = listProcessSpecs(registry) as unknown as Record<string, unknown>[];
  const validator = processValidator(db, registry, config.limits);
  const store = createObjectStore(config.storageUrl, { s3: s3Options(config.s3) });
  const signer = new ResultSigner(secret);
  const formats = new FormatRegistry().addOutput(JSON_FORMAT).addInput(GTIFF_INPUT);
  for (const f of rasterFormats()) formats.addOutput(f);
  const entries = await loadCollections(config.collectionsFile, { dataDir: config.dataDir });
  const collections = createCollectionCatalog(entries, config.publicUrl);
  // Every request sent on a user's behalf (STAC searches, load_stac) goes through the allow-list and address rules.
  const policy = outboundPolicy(config.outbound, collectionUrls(entries));
  const guarded = createGuardedFetch(policy);
  const pool = createChunkPool(config.limits.chunkThreads, { storageUrl: config.storageUrl, s3: config.s3, outbound: policy });
  // Static catalogs and assets on s3:// are read with the backend's own S3 settings.
  const readObject = async (url: string, signal?: AbortSignal) => {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
    if (!m) throw new OpenEOError('UpstreamInvalid', `Cannot read ${url}: expected s3://bucket/key.`);
    const s3 = createObjectStore(`s3://${m[1]}`, { s3: s3Options(config.s3) });
    try {
      const bytes = await s3.get(m[2], {}, signal);
      if (!bytes) throw new OpenEOError('UpstreamInvalid', `Cannot read ${url}: no such object.`);
      return bytes;
    } finally {
      await s3.close();
    }
  };
  const executorDeps: GraphJobExecutorDeps = {
    validator,
    store,
    pool,
    logger,
    maxDepth: config.limits.graphDepth,
    cubeServices: () => ({
      collection: (id) => collections.entry(id),
      itemSource: (entry) => createItemSource(entry, { readObject, fetch: guarded }),
      openStac: (url, signal) => openStacUrl(url, { readObject, fetch: guarded }, signal),
      hasOutputFormat: (name) => formats.findOutput(name) !== undefined,
      saved: [],
      limits: { loadPixels: config.limits.loadPixels, timeSteps: config.limits.timeSteps },
    }),
  };
  return {
    processes: { has: (id) => registry.get(id) !== undefined, list: () => specs },
    collections,
    formats,
    store,
    signer,
    executor: new GraphJobExecutor(executorDeps),
    sync: new SyncRunner(executorDeps, config.limits.syncPixels),
    async close() {
      await pool.close();
      await store.close();
      await guarded.close();
    },
    async validateProcess(process, userId, { requireValid }) {
      const { errors } = await validator.check(process, userId);
      if (requireValid && errors.length > 0) throw errors[0];
      return errors;
    },
    estimate: (job) => estimateJob(executorDeps, job, Math.max(1, config.limits.chunkThreads)),
    async resultsDocument(job) {
      const status = job.status === 'created' || job.status === 'queued' ? 'running' : job.status;
      return { ...resultsDocument(config, signer, job), 'openeo:status': status };
    },
  };
}
