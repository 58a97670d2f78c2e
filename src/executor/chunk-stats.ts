/**
 * What computing one chunk cost: the figures a job's `usage`, the chunk rows and the metrics are built from.
 * Bytes are counted by wrapping the byte sources and the results store of the place the chunk runs.
 */
import type { ByteSource } from '../raster/byte-source.ts';
import type { ObjectStore, PutBody } from '../storage/index.ts';

export interface ChunkStats {
  /** Wall time of the chunk. */
  ms: number;
  /**
   * Time the computing thread was busy with it (its event loop's active time; waiting for reads does not count).
   * Node 20 has no per-thread CPU clock, and a thread runs one chunk at a time, so this is its CPU time.
   */
  cpuMs: number;
  bytesRead: number;
  bytesWritten: number;
}

export interface IoCounters {
  bytesRead: number;
  bytesWritten: number;
}

export const noStats = (): ChunkStats => ({ ms: 0, cpuMs: 0, bytesRead: 0, bytesWritten: 0 });

export function addStats(into: ChunkStats, s: ChunkStats): ChunkStats {
  into.ms += s.ms;
  into.cpuMs += s.cpuMs;
  into.bytesRead += s.bytesRead;
  into.bytesWritten += s.bytesWritten;
  return into;
}

/** Counts the bytes a source delivers (headers and blocks alike). */
export function countingSource(source: ByteSource, io: IoCounters): ByteSource {
  return {
    id: source.id,
    ...(source.size ? { size: source.size.bind(source) } : {}),
    async read(ranges, signal) {
      const parts = await source.read(ranges, signal);
      for (const p of parts) io.bytesRead += p.byteLength;
      return parts;
    },
  };
}

/** Counts the bytes put into a store; everything else passes through. */
export function countingStore(store: ObjectStore, io: IoCounters): ObjectStore {
  return {
    get url() {
      return store.url;
    },
    get: store.get.bind(store),
    getStream: store.getStream.bind(store),
    head: store.head.bind(store),
    list: store.list.bind(store),
    deletePrefix: store.deletePrefix.bind(store),
    delete: store.delete.bind(store),
    close: store.close.bind(store),
    put(key, body, options, signal) {
      return store.put(key, counted(body, io), options, signal);
    },
  };
}

function counted(body: PutBody, io: IoCounters): PutBody {
  if (body instanceof Uint8Array) {
    io.bytesWritten += body.byteLength;
    return body;
  }
  return (async function* () {
    for await (const part of body) {
      io.bytesWritten += part.byteLength;
      yield part;
    }
  })();
}
