/**
 * Buffers reused from one time step and one chunk to the next. Allocating a chunk's planes, reducer state and
 * read buffers anew for every step costs more in garbage collection than the kernels themselves, and makes peak
 * memory depend on the collector's timing. Keys name a node's place in the plan and the buffer's purpose, so two
 * uses of one buffer never overlap as long as each key has one user at a time: one arena per plan, and one chunk of
 * a plan at a time on it.
 */
export class BufferArena {
  private readonly items = new Map<string, { size: number; value: unknown }>();

  /** The value kept under `key` if it was made for `size`, else a new one from `make` (replacing it). */
  take<T>(key: string, size: number, make: () => T): T {
    const hit = this.items.get(key);
    if (hit && hit.size === size) return hit.value as T;
    const value = make();
    this.items.set(key, { size, value });
    return value;
  }

  /** The value kept under `key` while `fits` accepts it, else a new one from `make` (replacing it). */
  keep<T>(key: string, fits: (kept: T) => boolean, make: () => T): T {
    const hit = this.items.get(key);
    if (hit && fits(hit.value as T)) return hit.value as T;
    const value = make();
    this.items.set(key, { size: -1, value });
    return value;
  }

  /** A typed array of at least `length` elements kept under `key` (grown when too small), cut to `length`. One key, one array type. */
  scratch<A extends { length: number; subarray(a: number, b: number): A }>(key: string, length: number, make: (length: number) => A): A {
    const hit = this.items.get(key);
    if (hit && (hit.value as A).length >= length) return (hit.value as A).subarray(0, length);
    const value = make(length);
    this.items.set(key, { size: length, value });
    return value;
  }

  clear(): void {
    this.items.clear();
  }
}
