/**
 * Decompression of whole blocks. DEFLATE goes to Node's native zlib, synchronously (measured faster per core than the
 * async variant, which pays a thread-pool hop per block) and into reusable buffers (inflate-into.ts); ZSTD to
 * zstddec's WASM build (measured fastest of
 * zstddec, @bokuweb/zstd-wasm, fzstd; see bench/cog-read.ts), run into reusable buffers (zstd-into.ts). Other TIFF
 * compressions fall back to geotiff.js.
 */
import { inflateSync } from 'node:zlib';
import { getDecoder } from 'geotiff';
import { ZSTDDecoder } from 'zstddec';
import { createInflateInto } from './inflate-into.ts';
import { createZstdInto } from './zstd-into.ts';

export const COMPRESSION = { none: 1, lzw: 5, deflate: 8, adobeDeflate: 32946, zstd: 50000 } as const;

export interface BlockDecodeParams {
  compression: number;
  /** Exact size of the decoded block. */
  decodedBytes: number;
  tileWidth: number;
  tileHeight: number;
  bitsPerSample: number;
  samplesPerPixel: number;
  planarConfiguration: number;
}

export interface BlockDecoder {
  /**
   * Returns the decoded bytes (before predictor/byte order handling). Synchronous for none/DEFLATE/ZSTD; other
   * compressions return a promise. Throws a plain Error on corrupt input; callers name the asset. DEFLATE and ZSTD
   * decode into `into` (of exactly `decodedBytes`) when given; other compressions may return another array.
   */
  decode(bytes: Uint8Array, p: BlockDecodeParams, into?: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /**
   * A buffer of `bytes` bytes owned by the decoder, overwritten by the next use: for a block decoded synchronously
   * and read before anything else runs (no await in between).
   */
  scratch?(bytes: number): Uint8Array;
}

/** Loads the WASM decoder; one per reader (instances are cheap to share, never module-global here). */
export async function createBlockDecoder(): Promise<BlockDecoder> {
  const zstdInto = createZstdInto();
  const inflateInto = createInflateInto();
  let zstd: ZSTDDecoder | undefined;
  if (!zstdInto) {
    zstd = new ZSTDDecoder();
    await zstd.init();
  }
  let scratch = new Uint8Array(0);
  return {
    scratch(bytes) {
      if (scratch.length !== bytes) scratch = new Uint8Array(bytes);
      return scratch;
    },
    decode(bytes, p, into) {
      switch (p.compression) {
        case COMPRESSION.none:
          return bytes;
        case COMPRESSION.deflate:
        case COMPRESSION.adobeDeflate: {
          if (!inflateInto) return inflateSync(bytes, { maxOutputLength: Math.max(p.decodedBytes, 1), chunkSize: Math.max(p.decodedBytes, 64) });
          const out = target(into, p.decodedBytes);
          const n = inflateInto(bytes, out);
          if (n !== p.decodedBytes) throw new Error(`DEFLATE stream decoded to ${n} bytes`);
          return out;
        }
        case COMPRESSION.zstd: {
          if (zstdInto) {
            const out = target(into, p.decodedBytes);
            const n = zstdInto(bytes, out);
            if (n !== p.decodedBytes) throw new Error(`ZSTD frame decoded to ${n} bytes`);
            return out;
          }
          const out = zstd!.decode(bytes, p.decodedBytes);
          // zstddec does not report errors: a failed frame shows up as a wrong output length
          if (out.length !== p.decodedBytes) throw new Error(`ZSTD frame decoded to ${out.length} bytes`);
          return out;
        }
        default:
          return decodeWithGeotiff(bytes, p);
      }
    },
  };
}

/**
 * The caller's buffer when it has the block's size, else a new one. A new one is not zero-filled: the decoders
 * overwrite every byte, or the block fails on its length.
 */
const target = (into: Uint8Array | undefined, bytes: number): Uint8Array =>
  into && into.length === bytes ? into : new Uint8Array(Buffer.allocUnsafeSlow(bytes).buffer, 0, bytes);

async function decodeWithGeotiff(bytes: Uint8Array, p: BlockDecodeParams): Promise<Uint8Array> {
  const decoder = await getDecoder(p.compression, {
    tileWidth: p.tileWidth,
    tileHeight: p.tileHeight,
    predictor: 1,
    bitsPerSample: p.bitsPerSample,
    planarConfiguration: p.planarConfiguration,
    samplesPerPixel: p.samplesPerPixel,
  });
  const copy = bytes.slice();
  return new Uint8Array(await decoder.decodeBlock(copy.buffer));
}
