/** The file a chunk worker thread starts from: the bundle of its sources, or the tsx bootstrap. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { PROJECT_ROOT, type Config } from '../config.ts';
import { bundleWorkerEntry } from './worker-bundle.ts';

export const TSX_BOOT = new URL('./chunk-worker-boot.mjs', import.meta.url);
const WORKER_SOURCE = fileURLToPath(new URL('./chunk-worker.ts', import.meta.url));
/** Below the project's node_modules, so that the bundle's package imports resolve as the sources' do. */
export const DEFAULT_BUNDLE_DIR = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'openeo-backend');

export interface ThreadBoot {
  /** Start threads from a bundle of their sources (found in the cache or built now) rather than through tsx. */
  bundle: boolean;
  /** Where bundles are kept (default DEFAULT_BUNDLE_DIR). */
  cacheDir?: string;
  /** Told when no bundle could be had: the threads then boot through tsx, slower but alike. */
  warn?(message: string, error: unknown): void;
}

/** As configured; a missing bundle is logged as a warning. */
export function threadBoot(config: Pick<Config, 'chunkWorkerBundle'>, logger: Pick<Logger, 'warn'>): ThreadBoot {
  return { bundle: config.chunkWorkerBundle, warn: (message, err) => logger.warn({ err }, message) };
}

export interface ThreadEntry {
  url: URL;
  kind: 'bundle' | 'tsx';
}

export async function threadEntry(boot: ThreadBoot): Promise<ThreadEntry> {
  if (!boot.bundle) return { url: TSX_BOOT, kind: 'tsx' };
  try {
    const { url } = await bundleWorkerEntry({ entry: WORKER_SOURCE, cacheDir: boot.cacheDir ?? DEFAULT_BUNDLE_DIR });
    return { url, kind: 'bundle' };
  } catch (e) {
    boot.warn?.(`could not bundle the chunk worker (${e instanceof Error ? e.message : String(e)}); its threads boot through tsx`, e);
    return { url: TSX_BOOT, kind: 'tsx' };
  }
}
