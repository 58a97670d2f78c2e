import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { ContextParts } from './context.ts';
import type { Db } from './db/database.ts';
import { createCollectionCatalog, loadCollections } from './catalog/index.ts';
import { GraphJobExecutor } from './executor/job-executor.ts';
import { processValidator } from './executor/validate-process.ts';
import { FormatRegistry, GTIFF_INPUT, JSON_FORMAT } from './formats/registry.ts';
import { createProcessRegistry, listProcessSpecs, scalarProcesses } from './processes/index.ts';
import { resultsDocument } from './results/document.ts';
import { ResultSigner } from './results/signing.ts';
import { createObjectStore } from './storage/index.ts';

/** The processing side of the context: processes, collections, formats, storage and the job executor. */
export async function defaultParts(config: Config, db: Db, secret: string, _logger: Logger): Promise<ContextParts> {
  const registry = createProcessRegistry(scalarProcesses());
  const specs = listProcessSpecs(registry) as unknown as Record<string, unknown>[];
  const validator = processValidator(db, registry, config.limits);
  const store = createObjectStore(config.storageUrl, {
    s3: {
      endpoint: config.s3.endpoint,
      region: config.s3.region,
      forcePathStyle: config.s3.forcePathStyle,
      ...(config.s3.accessKeyId && config.s3.secretAccessKey
        ? { credentials: { accessKeyId: config.s3.accessKeyId, secretAccessKey: config.s3.secretAccessKey } }
        : {}),
    },
  });
  const signer = new ResultSigner(secret);
  const formats = new FormatRegistry().addOutput(JSON_FORMAT).addInput(GTIFF_INPUT);
  return {
    processes: { has: (id) => registry.get(id) !== undefined, list: () => specs },
    collections: createCollectionCatalog(await loadCollections(config.collectionsFile, { dataDir: config.dataDir }), config.publicUrl),
    formats,
    store,
    signer,
    executor: new GraphJobExecutor(validator, store),
    async validateProcess(process, userId, { requireValid }) {
      const { errors } = await validator.check(process, userId);
      if (requireValid && errors.length > 0) throw errors[0];
      return errors;
    },
    async estimate() {
      return { costs: 0, downloads_included: null };
    },
    async resultsDocument(job) {
      const status = job.status === 'created' || job.status === 'queued' ? 'running' : job.status;
      return { ...resultsDocument(config, signer, job), 'openeo:status': status };
    },
  };
}
