/**
 * Decoded blocks that hold data, kept by `href#block` within a byte budget (least recently used go first), and the
 * buffers blocks are decoded into, recycled: allocating a fresh 256 KiB buffer per decoded block made the garbage
 * collector the largest cost of a flood job (V8 collects for every ~64 MB of new ArrayBuffers).
 *
 * A buffer returns to the free list only when nothing can still read it: it left the cache (or never entered it)
 * and every read that took it with `take` released it. Reads that use a block across an await must take it.
 */
interface Meta {
  pins: number;
  cached: boolean;
}

/** Recycled buffers kept at most (more would only hold memory the cache budget does not count). */
const MAX_FREE = 8;

export class DecodedBlocks {
  private readonly lru = new Map<string, Uint8Array>();
  private total = 0;
  /** Buffers made by `buffer()`, by their ArrayBuffer (views of one buffer may differ). */
  private readonly meta = new WeakMap<ArrayBufferLike, Meta>();
  private readonly free: Uint8Array[] = [];

  constructor(readonly budgetBytes: number) {}

  get size(): number {
    return this.lru.size;
  }

  /** The block kept under `key`, marked used (release it when done), or undefined. */
  take(key: string): Uint8Array | undefined {
    const b = this.lru.get(key);
    if (!b) return undefined;
    this.lru.delete(key);
    this.lru.set(key, b);
    const m = this.meta.get(b.buffer);
    if (m) m.pins++;
    return b;
  }

  /** A buffer of exactly `bytes` bytes to decode a block into: a recycled one when there is one. */
  buffer(bytes: number): Uint8Array {
    const k = this.free.findIndex((b) => b.byteLength === bytes);
    const b = k >= 0 ? this.free.splice(k, 1)[0] : new Uint8Array(bytes);
    this.meta.set(b.buffer, { pins: 0, cached: false });
    return b;
  }

  /** Keeps a decoded block, evicting the least recently used beyond the budget. A block alone over budget is not kept. */
  set(key: string, block: Uint8Array): void {
    const old = this.lru.get(key);
    if (old) this.evict(key, old);
    if (block.byteLength > this.budgetBytes) return;
    this.lru.set(key, block);
    this.total += block.byteLength;
    const m = this.meta.get(block.buffer);
    if (m) m.cached = true;
    for (const [k, b] of this.lru) {
      if (this.total <= this.budgetBytes) break;
      this.evict(k, b);
    }
  }

  /** Ends one use of a block from `take`, or gives back a buffer from `buffer()` that was not kept. */
  release(block: Uint8Array): void {
    const m = this.meta.get(block.buffer);
    if (!m) return;
    if (m.pins > 0) m.pins--;
    this.recycle(block, m);
  }

  clear(): void {
    for (const b of this.lru.values()) {
      const m = this.meta.get(b.buffer);
      if (m) m.cached = false;
    }
    this.lru.clear();
    this.total = 0;
    this.free.length = 0;
  }

  private evict(key: string, block: Uint8Array): void {
    this.lru.delete(key);
    this.total -= block.byteLength;
    const m = this.meta.get(block.buffer);
    if (!m) return;
    m.cached = false;
    this.recycle(block, m);
  }

  private recycle(block: Uint8Array, m: Meta): void {
    if (m.pins > 0 || m.cached) return;
    this.meta.delete(block.buffer);
    if (this.free.length < MAX_FREE) this.free.push(new Uint8Array(block.buffer, 0, block.buffer.byteLength));
  }
}
