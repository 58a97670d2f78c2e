/**
 * The fast path of raster reading: fetch exactly the blocks a pixel window needs in one batched read, decode them
 * (native zlib / WASM zstd), undo predictor and byte order, and copy rows into the caller's buffer.
 */
import { OpenEOError } from '../errors.ts';
import { upstreamInvalid } from './byte-source.ts';
import { blockBytesEqual, copyBlockRect, fillRect } from './block-copy.ts';
import type { BlockDecodeParams } from './block-decoder.ts';
import type { Cog } from './cog-reader.ts';
import { type RasterArray, TYPED_ARRAY, isArrayOf, viewAs } from './data-types.ts';
import { swapBytes, undoFloatingPointPredictor, undoHorizontalPredictor } from './predictor.ts';

export interface PixelWindow {
  x0: number;
  y0: number;
  width: number;
  height: number;
}

export interface ReadWindowOptions {
  /** Value for pixels outside the image. Default: the file's nodata, else 0. */
  fill?: number;
  /** Row stride of `out` in pixels (to read into part of a larger buffer). Default: the window width. */
  outStride?: number;
  /** Index in `out` of the window's first pixel. Default 0. */
  outOffset?: number;
  /**
   * false: pixels outside the image and in blocks without data (sparse or all nodata) are left as they are in
   * `out`, for callers that copy only the blocks reported as 'data'. Default true.
   */
  fillNodata?: boolean;
}

export type BlockState = 'data' | 'nodata' | 'sparse';

export interface WindowReadResult {
  /** The image blocks the window touched and what they held. */
  blocks: { col: number; row: number; state: BlockState }[];
  /** True when no touched block holds data (each is sparse or verified all-nodata), or the window misses the image. */
  allNodata: boolean;
}

export async function readWindow(
  cog: Cog,
  win: PixelWindow,
  band: number,
  out: RasterArray,
  signal?: AbortSignal,
  options: ReadWindowOptions = {},
): Promise<WindowReadResult> {
  const { info } = cog;
  const stride = options.outStride ?? win.width;
  const base = options.outOffset ?? 0;
  checkArguments(cog, win, band, out, stride, base);
  signal?.throwIfAborted();
  const fill = options.fill ?? info.nodata ?? 0;
  const fillNodata = options.fillNodata ?? true;

  // the part of the window inside the image; the rest is fill
  const ix0 = Math.max(0, win.x0);
  const iy0 = Math.max(0, win.y0);
  const ix1 = Math.min(info.width, win.x0 + win.width);
  const iy1 = Math.min(info.height, win.y0 + win.height);
  if (ix0 >= ix1 || iy0 >= iy1) {
    if (fillNodata) fillRect(out, base, stride, win.width, win.height, fill);
    return { blocks: [], allNodata: true };
  }
  if (fillNodata) {
    fillRect(out, base, stride, win.width, iy0 - win.y0, fill);
    fillRect(out, base + (iy1 - win.y0) * stride, stride, win.width, win.y0 + win.height - iy1, fill);
    fillRect(out, base + (iy0 - win.y0) * stride, stride, ix0 - win.x0, iy1 - iy0, fill);
    fillRect(out, base + (iy0 - win.y0) * stride + (ix1 - win.x0), stride, win.x0 + win.width - ix1, iy1 - iy0, fill);
  }

  const { tileWidth: tw, tileHeight: th, tilesAcross } = info;
  const bandOffset = info.planar ? band * tilesAcross * info.tilesDown : 0;
  const tiles: { col: number; row: number; index: number }[] = [];
  for (let row = Math.floor(iy0 / th); row <= Math.floor((iy1 - 1) / th); row++) {
    for (let col = Math.floor(ix0 / tw); col <= Math.floor((ix1 - 1) / tw); col++) {
      tiles.push({ col, row, index: bandOffset + row * tilesAcross + col });
    }
  }
  // blocks known to hold data may be decoded already; take them now (so that they stay ours across the awaits)
  const hits = new Map<number, Uint8Array>();
  const decoded = cog.decodedBlocks;
  if (decoded) {
    for (const t of tiles) {
      const hit = cog.blockState[t.index] === 1 ? decoded.take(`${info.href}#${t.index}`) : undefined;
      if (hit) hits.set(t.index, hit);
    }
  }
  try {
    return await readTiles(cog, win, band, out, signal, { tiles, hits, base, stride, fillNodata, ix0, iy0, ix1, iy1 });
  } finally {
    if (decoded) for (const h of hits.values()) decoded.release(h);
  }
}

interface TilesToRead {
  tiles: { col: number; row: number; index: number }[];
  hits: Map<number, Uint8Array>;
  base: number;
  stride: number;
  fillNodata: boolean;
  /** The part of the window inside the image. */
  ix0: number;
  iy0: number;
  ix1: number;
  iy1: number;
}

async function readTiles(cog: Cog, win: PixelWindow, band: number, out: RasterArray, signal: AbortSignal | undefined, r: TilesToRead): Promise<WindowReadResult> {
  const { info } = cog;
  const { tiles, hits, base, stride, fillNodata, ix0, iy0, ix1, iy1 } = r;
  const { tileWidth: tw, tileHeight: th } = info;
  const samples = info.planar ? 1 : info.samplesPerPixel;
  const nodataFill = info.nodata ?? 0;
  const toFetch = tiles.filter((t) => info.tileByteCounts[t.index] > 0 && cog.blockState[t.index] !== 2 && !hits.has(t.index));
  for (const t of toFetch) {
    const off = info.tileOffsets[t.index];
    if (!Number.isSafeInteger(off) || off < 0) throw upstreamInvalid(info.href, `invalid offset of block ${t.index}`);
  }
  const data = await cog.source.read(
    toFetch.map((t) => ({ offset: info.tileOffsets[t.index], length: info.tileByteCounts[t.index] })),
    signal,
  );
  const bytesOf = new Map(toFetch.map((t, i) => [t.index, data[i]]));

  const blocks: WindowReadResult['blocks'] = [];
  let allNodata = true;
  for (const t of tiles) {
    signal?.throwIfAborted();
    // the part of this block inside the window
    const bx0 = Math.max(ix0, t.col * tw);
    const by0 = Math.max(iy0, t.row * th);
    const bx1 = Math.min(ix1, (t.col + 1) * tw);
    const by1 = Math.min(iy1, (t.row + 1) * th);
    const outStart = base + (by0 - win.y0) * stride + (bx0 - win.x0);
    const cached = hits.get(t.index);
    let bytes = cached ?? bytesOf.get(t.index);
    // writers emit the same bytes for every all-nodata block: recognise them without decoding
    if (bytes && cog.blockState[t.index] === 0 && sameBytes(bytes, cog.memo.nodataCompressed)) {
      cog.blockState[t.index] = 2;
      bytes = undefined;
    }
    if (!bytes) {
      // sparse blocks (GDAL SPARSE_OK) read as nodata; so do blocks already known to be all nodata
      if (fillNodata) fillRect(out, outStart, stride, bx1 - bx0, by1 - by0, nodataFill);
      blocks.push({ col: t.col, row: t.row, state: info.tileByteCounts[t.index] > 0 ? 'nodata' : 'sparse' });
      continue;
    }
    const rows = info.tiled ? th : Math.min(th, info.height - t.row * th);
    // A decoded block is only read before the next await below, unless the cache keeps it: so the buffer of one
    // that is not kept can be handed back right after its copy. Without a cache, synchronous decoders write into
    // their scratch buffer: nothing else runs between the decode and the copy.
    let raw = cached;
    if (!raw) {
      const d = decodeBlock(cog, t.index, bytes, rows, samples);
      raw = d instanceof Promise ? await d : d;
    }
    const block = viewAs(info.dataType, raw);
    let state: BlockState = 'data';
    if (info.nodata !== undefined && cog.blockState[t.index] === 0) {
      const pixelBytes = samples * info.bytesPerSample;
      const validW = Math.min(tw, info.width - t.col * tw);
      const validH = Math.min(rows, info.height - t.row * th);
      // all samples of the block, so the verdict holds for every band of a chunky block
      const empty = blockBytesEqual(raw, nodataBlock(cog, raw.length), tw * pixelBytes, validW * pixelBytes, validH);
      cog.blockState[t.index] = empty ? 2 : 1;
      if (empty && validW === tw && validH === th && rows === th) cog.memo.nodataCompressed ??= bytes.slice();
    }
    if (cog.blockState[t.index] === 2) state = 'nodata';
    else allNodata = false;
    const keep = state === 'data' && !cached && cog.decodedBlocks !== undefined;
    if (keep) cog.decodedBlocks!.set(`${info.href}#${t.index}`, raw);
    blocks.push({ col: t.col, row: t.row, state });
    if (state !== 'nodata' || fillNodata) {
      copyBlockRect(block, tw, samples, band, out, {
        bx: bx0 - t.col * tw,
        by: by0 - t.row * th,
        width: bx1 - bx0,
        height: by1 - by0,
        outStart,
        outStride: stride,
      });
    }
    if (!cached && !keep) cog.decodedBlocks?.release(raw);
  }
  return { blocks, allNodata };
}

function sameBytes(a: Uint8Array, b: Uint8Array | undefined): boolean {
  return b !== undefined && a.length === b.length && Buffer.compare(a, b) === 0;
}

/** A decoded block's worth of nodata bytes, built once per Cog. */
function nodataBlock(cog: Cog, length: number): Uint8Array {
  const have = cog.memo.nodataBlock;
  if (have && have.length >= length) return have;
  const samples = new TYPED_ARRAY[cog.info.dataType](Math.ceil(length / cog.info.bytesPerSample)).fill(cog.info.nodata!);
  const bytes = new Uint8Array(samples.buffer, 0, length);
  cog.memo.nodataBlock = bytes;
  return bytes;
}

/** Decompresses one block and undoes byte order and predictor; errors name the asset and the block. */
function decodeBlock(cog: Cog, index: number, bytes: Uint8Array, rows: number, samples: number): Uint8Array | Promise<Uint8Array> {
  const { info } = cog;
  const bps = info.bytesPerSample;
  const decodedBytes = info.tileWidth * rows * samples * bps;
  if (bytes.length < info.tileByteCounts[index]) {
    throw upstreamInvalid(info.href, `file truncated: block ${index} needs ${info.tileByteCounts[index]} bytes at offset ${info.tileOffsets[index]}, got ${bytes.length}`);
  }
  const into = cog.decodedBlocks ? cog.decodedBlocks.buffer(decodedBytes) : cog.decoder.scratch?.(decodedBytes);
  const params: BlockDecodeParams = {
    compression: info.compression,
    decodedBytes,
    tileWidth: info.tileWidth,
    tileHeight: rows,
    bitsPerSample: bps * 8,
    samplesPerPixel: info.samplesPerPixel,
    planarConfiguration: info.planar ? 2 : 1,
  };
  const corrupt = (e: unknown) => upstreamInvalid(info.href, `corrupt block ${index} (compression ${info.compression}: ${(e as Error)?.message ?? e})`, e);
  const done = (raw: Uint8Array) => {
    if (into && raw !== into) cog.decodedBlocks?.release(into);
    return afterDecode(cog, index, bytes, raw, rows, samples);
  };
  let d: Uint8Array | Promise<Uint8Array>;
  try {
    d = cog.decoder.decode(bytes, params, into);
  } catch (e) {
    throw corrupt(e);
  }
  return d instanceof Promise ? d.then(done, (e) => Promise.reject(corrupt(e))) : done(d);
}

/** Checks the decoded size and undoes byte order and predictor. */
function afterDecode(cog: Cog, index: number, bytes: Uint8Array, decoded: Uint8Array, rows: number, samples: number): Uint8Array {
  const { info } = cog;
  const bps = info.bytesPerSample;
  const decodedBytes = info.tileWidth * rows * samples * bps;
  let raw = decoded;
  if (raw.length < decodedBytes) {
    throw upstreamInvalid(info.href, `corrupt block ${index}: decoded to ${raw.length} bytes, expected ${decodedBytes}`);
  }
  const swap = !info.littleEndian && bps > 1 && info.predictor !== 3;
  // never mutate source bytes: they may be shared with a cache
  if (raw === bytes && (swap || info.predictor !== 1)) raw = bytes.slice(0, decodedBytes);
  if (swap) swapBytes(raw.subarray(0, decodedBytes), bps);
  if (info.predictor === 2) undoHorizontalPredictor(raw, bps, info.tileWidth, rows, samples);
  else if (info.predictor === 3) undoFloatingPointPredictor(raw, bps, info.tileWidth, rows, samples);
  else if (info.predictor !== 1) throw upstreamInvalid(info.href, `unsupported predictor ${info.predictor}`);
  return raw.subarray(0, decodedBytes);
}

function checkArguments(cog: Cog, win: PixelWindow, band: number, out: RasterArray, stride: number, base: number): void {
  const { info } = cog;
  const ints = [win.x0, win.y0, win.width, win.height, band, stride, base];
  if (!ints.every(Number.isSafeInteger) || win.width < 0 || win.height < 0 || stride < win.width || base < 0) {
    throw new OpenEOError('Internal', `readWindow: invalid window ${JSON.stringify(win)} for ${info.href}`);
  }
  if (band < 0 || band >= info.samplesPerPixel) {
    throw new OpenEOError('Internal', `readWindow: band ${band} requested from ${info.href} with ${info.samplesPerPixel} bands`);
  }
  if (!isArrayOf(info.dataType, out)) {
    throw new OpenEOError('Internal', `readWindow: output array is not ${info.dataType} as in ${info.href}`);
  }
  if (win.height > 0 && out.length < base + (win.height - 1) * stride + win.width) {
    throw new OpenEOError('Internal', `readWindow: output array too small for the window`);
  }
}
