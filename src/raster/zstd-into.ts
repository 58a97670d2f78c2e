/**
 * ZSTD block decoding into the caller's buffer. zstddec's `decode` returns a fresh copy of every block, and on a
 * flood job those 256 KiB copies (a gigabyte per job) are what drives the garbage collector: V8 runs a full
 * collection for every ~64 MB of new ArrayBuffers. Here the same WebAssembly build of zstd runs on scratch memory
 * allocated once and grown when needed, and the result is copied into a buffer the caller reuses.
 *
 * zstddec does not export its module, so it is taken from the package's bundle (the embedded base64 string); when
 * that is not found (another zstddec version), `undefined` is returned and the caller keeps zstddec's own API.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export type ZstdInto = (bytes: Uint8Array, out: Uint8Array) => number;

interface WasmMemory {
  buffer: ArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
type Exports = {
  memory: WasmMemory;
  malloc(n: number): number;
  free(p: number): void;
  ZSTD_decompress(dst: number, cap: number, src: number, len: number): number;
  ZSTD_isError(code: number): number;
};

/**
 * One decoder per thread (null: module not found), as zstddec keeps one instance: instantiating costs a WebAssembly
 * memory, and calls never overlap (they are synchronous and a thread runs one at a time).
 */
let shared: ZstdInto | null | undefined;

/** A decoder writing into `out` (which must hold the whole decoded frame); returns the decoded length. */
export function createZstdInto(): ZstdInto | undefined {
  if (shared === undefined) shared = instantiate() ?? null;
  return shared ?? undefined;
}

function instantiate(): ZstdInto | undefined {
  const wasm = zstddecModule();
  if (!wasm) return undefined;
  const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  let heap = new Uint8Array(0);
  const instance = new api.Instance(new api.Module(wasm), {
    env: { emscripten_notify_memory_growth: () => (heap = new Uint8Array(ex.memory.buffer)) },
  });
  const ex = instance.exports as unknown as Exports;
  heap = new Uint8Array(ex.memory.buffer);
  let src = 0;
  let srcCap = 0;
  let dst = 0;
  let dstCap = 0;
  return (bytes, out) => {
    if (bytes.length > srcCap) {
      if (src) ex.free(src);
      srcCap = Math.max(bytes.length, 64 * 1024);
      src = ex.malloc(srcCap);
    }
    if (out.length > dstCap) {
      if (dst) ex.free(dst);
      dstCap = out.length;
      dst = ex.malloc(dstCap);
    }
    if (!src || !dst) throw new Error('ZSTD decoder out of memory');
    heap.set(bytes, src);
    const n = ex.ZSTD_decompress(dst, out.length, src, bytes.length);
    if (ex.ZSTD_isError(n)) throw new Error('ZSTD frame is corrupt or larger than the block');
    out.set(heap.subarray(dst, dst + n));
    return n;
  };
}

function zstddecModule(): Uint8Array | undefined {
  try {
    const entry = createRequire(import.meta.url).resolve('zstddec');
    const text = readFileSync(entry.replace(/[^/\\]+$/, 'zstddec.mjs'), 'utf8');
    const b64 = /\bconst wasm = "([A-Za-z0-9+/=]+)"/.exec(text)?.[1];
    return b64 ? new Uint8Array(Buffer.from(b64, 'base64')) : undefined;
  } catch {
    return undefined;
  }
}
