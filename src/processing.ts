/**
 * The processing core shared by the API process and distributed workers: processes, collections, formats, the
 * outbound-request policy and the services data cube processes use. Built once per process from the config.
 */
import type { Config } from './config.ts';
import type { Db } from './db/database.ts';
import { createCollectionCatalog, createItemSource, loadCollections, openStacUrl } from './catalog/index.ts';
import { OpenEOError } from './errors.ts';
import { s3Options } from './executor/worker-env.ts';
import { processValidator, type ProcessValidator } from './executor/validate-process.ts';
import { FormatRegistry, GTIFF_INPUT, JSON_FORMAT } from './formats/registry.ts';
import { rasterFormats } from './formats/writers.ts';
import type { ProcessLimits } from './process-graph/types.ts';
import type { CubeServices } from './processes/cube/index.ts';
import { cubeProcesses } from './processes/cube/index.ts';
import { createProcessRegistry, scalarProcesses, type ProcessRegistry } from './processes/index.ts';
import { collectionUrls, createGuardedFetch, outboundPolicy, type OutboundPolicy } from './security/outbound.ts';
import { createObjectStore } from './storage/index.ts';

export interface ProcessingCore {
  registry: ProcessRegistry;
  validator: ProcessValidator;
  formats: FormatRegistry;
  collections: ReturnType<typeof createCollectionCatalog>;
  /** Rules for requests sent on a user's behalf; plain data, also handed to worker threads. */
  outbound: OutboundPolicy;
  /** Fresh services per evaluation (save_result requests are collected per run). */
  cubeServices(): CubeServices;
  /** What one process call may allocate; handed to evaluations and, in the worker settings, to chunk threads. */
  processLimits: ProcessLimits;
  close(): Promise<void>;
}

export async function createProcessingCore(config: Config, db: Db): Promise<ProcessingCore> {
  const registry = createProcessRegistry([...scalarProcesses(), ...cubeProcesses()]);
  const formats = new FormatRegistry().addOutput(JSON_FORMAT).addInput(GTIFF_INPUT);
  for (const f of rasterFormats()) formats.addOutput(f);
  const entries = await loadCollections(config.collectionsFile, { dataDir: config.dataDir });
  const collections = createCollectionCatalog(entries, config.publicUrl);
  // Every request sent on a user's behalf (STAC searches, load_stac) goes through the allow-list and address rules.
  const outbound = outboundPolicy(config.outbound, collectionUrls(entries));
  const guarded = createGuardedFetch(outbound);
  // Static catalogs on s3:// are read with the backend's own S3 settings.
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
  return {
    registry,
    validator: processValidator(db, registry, config.limits),
    formats,
    collections,
    outbound,
    processLimits: Object.freeze({ arrayElements: config.limits.arrayElements }),
    cubeServices: () => ({
      collection: (id) => collections.entry(id),
      itemSource: (entry) => createItemSource(entry, { readObject, fetch: guarded }),
      openStac: (url, signal) => openStacUrl(url, { readObject, fetch: guarded }, signal),
      hasOutputFormat: (name) => formats.findOutput(name) !== undefined,
      saved: [],
      limits: { loadPixels: config.limits.loadPixels, timeSteps: config.limits.timeSteps },
    }),
    close: async () => {
      await guarded.close();
    },
  };
}
