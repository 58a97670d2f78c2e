/**
 * Opens COGs by href: builds the byte source (scheme → source, then range merging and the optional shared block
 * cache), parses the header once and caches it per href within a byte budget. Create one per process/worker in
 * the context and pass it down; nothing here is global.
 */
import { type ByteSource, isAbortError } from './byte-source.ts';
import { type BlockDecoder, createBlockDecoder } from './block-decoder.ts';
import type { BlockCache } from './cached-source.ts';
import { withBlockCache } from './cached-source.ts';
import { type CogInfo, cogInfoBytes, readCogHeader } from './cog-header.ts';
import { DecodedBlocks } from './decoded-blocks.ts';
import { ByteBudgetLru } from './lru.ts';
import { type RangeMergingOptions, withRangeMerging } from './merged-source.ts';
import { type OpenSourceContext, openSource } from './open-source.ts';

/** An opened COG: its parsed header, the source its blocks are read from, and per-block knowledge. */
export interface Cog {
  readonly info: CogInfo;
  readonly source: ByteSource;
  readonly decoder: BlockDecoder;
  /** Per block (same indexing as tileOffsets): 0 unknown, 1 has data, 2 verified all nodata. */
  readonly blockState: Uint8Array;
  /** Decoded blocks shared by the reader's Cogs, keyed `href#block` (absent: no caching). */
  readonly decodedBlocks?: DecodedBlocks;
  /** Lazily built helpers of the read path (kept with the Cog so they share its cache lifetime). */
  readonly memo: {
    /** A decoded block's worth of nodata bytes, to compare decoded blocks with. */
    nodataBlock?: Uint8Array;
    /** The compressed bytes of a full block verified all nodata: identical bytes need no decoding. */
    nodataCompressed?: Uint8Array;
  };
}

export interface CogReaderOptions {
  sources?: OpenSourceContext;
  /** Budget for cached parsed headers. Default 64 MiB. */
  headerCacheBytes?: number;
  /** Shared byte cache for block reads; none by default (local files have the OS page cache). */
  blockCache?: BlockCache;
  merge?: RangeMergingOptions;
  /**
   * Budget for decoded blocks that hold data, so that neighbouring output windows (whose edges rarely align with
   * the blocks) decode each block once. Default 0: no cache.
   */
  decodedBlockBytes?: number;
  /** Bytes read up front for the header. Default 64 KiB. */
  headerBytes?: number;
  /** Replaces the scheme-based source choice (e.g. to wrap sources with instrumentation in benchmarks). */
  openSource?: (href: string) => ByteSource;
}

export class CogReader {
  private readonly headers: ByteBudgetLru<string, Promise<Cog>>;
  private decoder: Promise<BlockDecoder> | undefined;
  private readonly decoded: DecodedBlocks | undefined;

  constructor(private readonly options: CogReaderOptions = {}) {
    this.headers = new ByteBudgetLru(options.headerCacheBytes ?? 64 * 1024 * 1024);
    if (options.decodedBlockBytes) this.decoded = new DecodedBlocks(options.decodedBlockBytes);
  }

  /** Wraps a raw source the way this reader reads blocks through it. */
  wrapSource(raw: ByteSource): ByteSource {
    const merged = withRangeMerging(raw, this.options.merge);
    return this.options.blockCache ? withBlockCache(merged, this.options.blockCache) : merged;
  }

  /** Opens (or returns the cached) COG at href. Errors are OpenEOErrors naming the href. */
  async open(href: string, signal?: AbortSignal): Promise<Cog> {
    for (;;) {
      signal?.throwIfAborted();
      let pending = this.headers.get(href);
      if (!pending) {
        pending = this.load(href, signal);
        // until parsed, count a nominal size; replaced by the real one below
        this.headers.set(href, pending, 4096);
        pending.then(
          (cog) => {
            if (this.headers.get(href) === pending) this.headers.set(href, pending!, cogInfoBytes(cog.info));
          },
          () => {
            if (this.headers.get(href) === pending) this.headers.delete(href);
          },
        );
      }
      try {
        return await pending;
      } catch (e) {
        // a shared open that failed because another caller aborted: open it again for ourselves
        if (isAbortError(e) && !signal?.aborted) continue;
        throw e;
      }
    }
  }

  /** Drops every cached decoded block (e.g. when a job is done, so an idle worker holds no pixels). */
  clearDecodedBlocks(): void {
    this.decoded?.clear();
  }

  /** Drops a cached header (e.g. after the asset was replaced). */
  forget(href: string): void {
    this.headers.delete(href);
    // its decoded blocks age out of the LRU
  }

  private async load(href: string, signal?: AbortSignal): Promise<Cog> {
    const raw = this.options.openSource ? this.options.openSource(href) : openSource(href, this.options.sources);
    const source = this.wrapSource(raw);
    this.decoder ??= createBlockDecoder();
    const [info, decoder] = await Promise.all([readCogHeader(source, this.options.headerBytes, signal), this.decoder]);
    return { info, source, decoder, blockState: new Uint8Array(info.tileOffsets.length), memo: {}, ...(this.decoded ? { decodedBlocks: this.decoded } : {}) };
  }
}

/** Builds a Cog over an already open source, without caching (tests, one-off reads). */
export async function openCog(source: ByteSource, signal?: AbortSignal, headerBytes?: number): Promise<Cog> {
  const [info, decoder] = await Promise.all([readCogHeader(source, headerBytes, signal), createBlockDecoder()]);
  return { info, source, decoder, blockState: new Uint8Array(info.tileOffsets.length), memo: {} };
}
