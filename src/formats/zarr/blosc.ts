/**
 * Blosc 1.x frames written from JavaScript so that numcodecs (xarray) and GDAL's Zarr driver can decode them
 * with their C-Blosc: a 16-byte header, the absolute start offset of each block, then each block as one stream
 * (the "do not split" flag) prefixed by its compressed size. The inner compressor is zstd or zlib, which we have
 * encoders for; Blosc's own blosclz/lz4 have no encoder here.
 */
export type BloscInner = 'zstd' | 'zlib';
export type ByteCompressor = (bytes: Uint8Array) => Uint8Array;

const HEADER = 16;
const FORMAT_VERSION = 2; // what C-Blosc 1.x writes
const INNER_VERSION = 1;
const CODE: Record<BloscInner, number> = { zlib: 3, zstd: 4 };
const FLAG_SHUFFLE = 0x01;
const FLAG_NOSPLIT = 0x10;
/** Big enough for zstd to find matches, small enough to let readers decode blocks in parallel. */
const DEFAULT_BLOCK = 1 << 20;

/** Byte shuffle (all first bytes of each element, then all second bytes, …) of a block. */
export function byteShuffle(src: Uint8Array, typesize: number): Uint8Array {
  const n = src.length / typesize;
  const out = new Uint8Array(src.length);
  for (let j = 0; j < typesize; j++) {
    const base = j * n;
    for (let i = 0, k = j; i < n; i++, k += typesize) out[base + i] = src[k];
  }
  return out;
}

export function bloscEncode(bytes: Uint8Array, typesize: number, inner: BloscInner, compress: ByteCompressor, shuffle: boolean, blockSize = DEFAULT_BLOCK): Uint8Array {
  const doShuffle = shuffle && typesize > 1;
  const block = Math.max(typesize, blockSize - (blockSize % typesize));
  const nblocks = Math.max(1, Math.ceil(bytes.length / block));
  const streams: Uint8Array[] = [];
  for (let b = 0; b < nblocks; b++) {
    const part = bytes.subarray(b * block, Math.min(bytes.length, (b + 1) * block));
    const prepared = doShuffle ? byteShuffle(part, typesize) : part;
    const packed = compress(prepared);
    // A stream whose size equals the block size is read back as stored bytes, so incompressible blocks are stored.
    streams.push(packed.length >= prepared.length ? prepared : packed);
  }
  const total = HEADER + 4 * nblocks + streams.reduce((s, x) => s + 4 + x.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out[0] = FORMAT_VERSION;
  out[1] = INNER_VERSION;
  out[2] = (doShuffle ? FLAG_SHUFFLE : 0) | FLAG_NOSPLIT | (CODE[inner] << 5);
  out[3] = typesize;
  view.setUint32(4, bytes.length, true);
  view.setUint32(8, Math.min(block, bytes.length), true);
  view.setUint32(12, total, true);
  let pos = HEADER + 4 * nblocks;
  streams.forEach((s, b) => {
    view.setInt32(HEADER + 4 * b, pos, true);
    view.setInt32(pos, s.length, true);
    out.set(s, pos + 4);
    pos += 4 + s.length;
  });
  return out;
}
