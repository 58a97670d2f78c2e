import { compress as zstdCompress, init as zstdInit } from '@bokuweb/zstd-wasm';

/**
 * The zstd encoder is one WASM instance per process, and a second `init()` anywhere in the process breaks it for
 * everyone: the library's export wrappers keep the first instance's malloc while its heap view moves to the new
 * instance's memory ("offset is out of bounds" on the next compress). So we initialise only when a probe shows
 * that no one (e.g. the COG writer) did yet, and share the promise among our callers.
 */
let zstdReady: Promise<void> | undefined;

function zstdInitialised(): boolean {
  try {
    zstdCompress(new Uint8Array(0), 1);
    return true;
  } catch {
    // Before initialisation the export wrappers throw without caching anything.
    return false;
  }
}

export async function ensureZstd(): Promise<void> {
  if (zstdReady === undefined && zstdInitialised()) zstdReady = Promise.resolve();
  await (zstdReady ??= zstdInit());
}
