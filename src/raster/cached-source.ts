/**
 * Block cache wrapper: the object is seen as aligned blocks of `blockSize` bytes kept in an LRU with a byte budget
 * that can be shared by many sources (keys include the source id). Missing blocks of one read() are fetched in a
 * single inner read, consecutive blocks as one range, and concurrent readers of a block share one fetch.
 */
import { type ByteRange, type ByteSource, isAbortError } from './byte-source.ts';
import { ByteBudgetLru } from './lru.ts';

export interface BlockCacheOptions {
  budgetBytes: number;
  /** Default 64 KiB. */
  blockSize?: number;
}

export class BlockCache {
  readonly blockSize: number;
  readonly lru: ByteBudgetLru<string, Uint8Array>;
  /** Blocks being fetched right now, so that concurrent readers do not fetch them twice. */
  readonly pending = new Map<string, Promise<Uint8Array>>();

  constructor(options: BlockCacheOptions) {
    this.blockSize = options.blockSize ?? 64 * 1024;
    this.lru = new ByteBudgetLru(options.budgetBytes);
  }
}

export function withBlockCache(inner: ByteSource, cache: BlockCache): ByteSource {
  const bs = cache.blockSize;
  const key = (b: number): string => `${inner.id}\u0000${b}`;

  async function fetchBlocks(blocks: number[], signal?: AbortSignal): Promise<void> {
    // consecutive block numbers become one range
    const runs: { first: number; count: number }[] = [];
    for (const b of blocks) {
      const last = runs[runs.length - 1];
      if (last && last.first + last.count === b) last.count++;
      else runs.push({ first: b, count: 1 });
    }
    const request = inner.read(
      runs.map((r) => ({ offset: r.first * bs, length: r.count * bs })),
      signal,
    );
    runs.forEach((r, ri) => {
      for (let j = 0; j < r.count; j++) {
        const b = r.first + j;
        const p = request.then((data) => {
          const block = data[ri].subarray(Math.min(j * bs, data[ri].length), Math.min((j + 1) * bs, data[ri].length));
          cache.lru.set(key(b), block, block.length + 64);
          return block;
        });
        cache.pending.set(key(b), p);
        // whatever happens, the block is no longer pending; failures are seen by the awaiting readers
        p.then(
          () => cache.pending.delete(key(b)),
          () => cache.pending.delete(key(b)),
        );
      }
    });
    await request;
  }

  async function getBlocks(blocks: number[], signal?: AbortSignal): Promise<Map<number, Uint8Array>> {
    for (;;) {
      const missing = blocks.filter((b) => !cache.lru.has(key(b)) && !cache.pending.has(key(b)));
      const fetching = missing.length ? fetchBlocks(missing, signal) : Promise.resolve();
      const got = new Map<number, Uint8Array>();
      try {
        await fetching;
        for (const b of blocks) {
          got.set(b, cache.lru.get(key(b)) ?? (await (cache.pending.get(key(b)) ?? refetch(b, signal))));
        }
        return got;
      } catch (e) {
        // a fetch shared with a reader that was aborted fails with that reader's abort: try again ourselves
        if (isAbortError(e) && !signal?.aborted) continue;
        throw e;
      }
    }
  }

  // evicted between the check and the use (tiny budget): read it once more without caching games
  async function refetch(b: number, signal?: AbortSignal): Promise<Uint8Array> {
    return (await inner.read([{ offset: b * bs, length: bs }], signal))[0];
  }

  return {
    id: inner.id,
    size: inner.size ? (signal) => inner.size!(signal) : undefined,
    async read(ranges: readonly ByteRange[], signal?: AbortSignal): Promise<Uint8Array[]> {
      signal?.throwIfAborted();
      const wanted = new Set<number>();
      for (const { offset, length } of ranges) {
        if (length <= 0) continue;
        for (let b = Math.floor(offset / bs); b <= Math.floor((offset + length - 1) / bs); b++) wanted.add(b);
      }
      const blocks = await getBlocks([...wanted].sort((a, b) => a - b), signal);
      return ranges.map(({ offset, length }) => assemble(blocks, bs, offset, length));
    },
  };
}

/** Cuts one range out of the cached blocks; a view when it lies inside one block, a copy otherwise. */
function assemble(blocks: Map<number, Uint8Array>, bs: number, offset: number, length: number): Uint8Array {
  if (length <= 0) return new Uint8Array(0);
  const first = Math.floor(offset / bs);
  const last = Math.floor((offset + length - 1) / bs);
  if (first === last) {
    const blk = blocks.get(first)!;
    const start = offset - first * bs;
    return blk.subarray(Math.min(start, blk.length), Math.min(start + length, blk.length));
  }
  const out = new Uint8Array(length);
  let filled = 0;
  for (let b = first; b <= last; b++) {
    const blk = blocks.get(b)!;
    const start = b === first ? offset - first * bs : 0;
    const part = blk.subarray(Math.min(start, blk.length), Math.min(start + length - filled, blk.length));
    out.set(part, filled);
    filled += part.length;
    // a short block is the end of the object
    if (blk.length < bs) break;
  }
  return filled === length ? out : out.subarray(0, filled);
}
