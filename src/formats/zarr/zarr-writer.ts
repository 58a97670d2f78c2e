/**
 * Zarr result stores written chunk by chunk: begin() writes every array's metadata and the coordinates,
 * writeChunk() encodes and uploads the chunks of one output window (any process, any order, idempotent: the
 * same window always gives the same bytes), finish() writes the consolidated metadata last, so that a store
 * readers can open with `consolidated=True` is a complete one.
 */
import { forEachLimit } from '../../async.ts';
import { OpenEOError } from '../../errors.ts';
import type { ObjectStore } from '../../storage/index.ts';
import { isWkt2 } from '../../raster/grid/wkt2.ts';
import {
  type ChunkWindow, chunkSamples, DTYPE_INFO, isIndexAxis, pixelCentres, type RasterFormatWriter, type RasterMeta, timeName, timeSeconds,
  validateMeta, validateWindow, type WrittenAsset,
} from '../raster-writer.ts';
import { allEqual, bytesOfSamples, packChunk } from './chunk-pack.ts';
import { type ChunkEncoder, type CodecOptions, createChunkEncoder, type ZarrCodec } from './codecs.ts';
import {
  bytesOf, chunkKey, consolidatedDocument, encodeJson, GRID_MAPPING, metadataDocuments, type ZarrArray, zarrArrays,
  type ZarrLayout,
} from './metadata.ts';

export interface ZarrWriterOptions {
  /** 2 (default, with `.zmetadata`) or 3 (with `dimension_names` and inline consolidated metadata). */
  zarrFormat?: 2 | 3;
  codec?: ZarrCodec;
  level?: number;
  bloscInner?: CodecOptions['bloscInner'];
  bloscShuffle?: boolean;
  /** Store name: the store lives at `<prefix>/<name>.zarr/`. Default `result`. */
  name?: string;
  /** Time steps per chunk when the cube has a time dimension (default 1). */
  timeChunk?: number;
  /**
   * Leave out chunks whose samples all equal the fill value (default true): readers fill missing chunks, and
   * flood results are mostly nodata, where an object per empty chunk costs a request each. Only for variables
   * with nodata; without a fill value every chunk is written.
   */
  skipEmptyChunks?: boolean;
  /** Parallel uploads per call (default 4). */
  concurrency?: number;
}

const JSON_TYPE = { contentType: 'application/json' };
const BINARY_TYPE = { contentType: 'application/octet-stream' };

/** Whole seconds where the labels allow (the common case), milliseconds otherwise, as int64 for xarray. */
function timeEncoding(labels: string[]): { units: string; values: BigInt64Array } {
  if (isIndexAxis(labels)) return { units: '', values: BigInt64Array.from(labels, (l) => BigInt(l)) };
  const seconds = timeSeconds(labels);
  const whole = seconds.every(Number.isInteger);
  const values = BigInt64Array.from(seconds, (s) => BigInt(whole ? s : Math.round(s * 1000)));
  return { units: `${whole ? 'seconds' : 'milliseconds'} since 1970-01-01`, values };
}

export function createZarrWriter(store: ObjectStore, prefix: string, options: ZarrWriterOptions = {}): RasterFormatWriter {
  const format = options.zarrFormat ?? 2;
  if (format !== 2 && format !== 3) throw new OpenEOError('ProcessParameterInvalid', `zarr_format must be 2 or 3, got ${format}.`);
  const name = options.name ?? 'result';
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name)) throw new OpenEOError('ProcessParameterInvalid', `Invalid Zarr store name ${JSON.stringify(name)}.`);
  const timeChunk = options.timeChunk ?? 1;
  if (!Number.isInteger(timeChunk) || timeChunk < 1) throw new OpenEOError('ProcessParameterInvalid', `timeChunk must be a positive integer, got ${timeChunk}.`);
  const skipEmpty = options.skipEmptyChunks ?? true;
  const concurrency = options.concurrency ?? 4;
  const root = `${prefix.replace(/\/+$/, '')}${prefix.replace(/\/+$/, '') === '' ? '' : '/'}${name}.zarr`;
  const keyOf = (rel: string) => `${root}/${rel}`;
  // The encoder depends only on the options: caching it per writer is not per-chunk state.
  let encoderPromise: Promise<ChunkEncoder> | undefined;
  const layoutOf = async (): Promise<ZarrLayout> => {
    encoderPromise ??= createChunkEncoder({ codec: options.codec ?? 'zstd', level: options.level, bloscInner: options.bloscInner, bloscShuffle: options.bloscShuffle }, format);
    return { format, timeChunk, encoder: await encoderPromise };
  };
  const describe = async (meta: RasterMeta) => {
    validateMeta(meta);
    const layout = await layoutOf();
    const time = meta.time ? timeEncoding(meta.time.labels) : undefined;
    const arrays = zarrArrays(meta, layout, time?.units ?? '');
    return { layout, time, arrays, docs: metadataDocuments(meta, layout, arrays) };
  };

  return {
    async begin(meta, signal) {
      signal.throwIfAborted();
      const { layout, time, docs } = await describe(meta);
      const coords: [string, Uint8Array, number][] = [
        ['x', bytesOfSamples(pixelCentres(meta.grid, 'x')), 8],
        ['y', bytesOfSamples(pixelCentres(meta.grid, 'y')), 8],
      ];
      if (time) coords.push([timeName(meta), bytesOfSamples(time.values), 8]);
      const uploads: [string, Uint8Array, typeof JSON_TYPE][] = docs.map(([k, d]) => [keyOf(k), encodeJson(d), JSON_TYPE]);
      for (const [n, bytes, size] of coords) uploads.push([keyOf(chunkKey(layout, n, [0])), layout.encoder.encode(bytes, size), BINARY_TYPE]);
      // Written although it equals the fill value: a present chunk makes no reader depend on fill semantics of 0-d arrays.
      uploads.push([keyOf(chunkKey(layout, GRID_MAPPING, [])), new Uint8Array(4), BINARY_TYPE]);
      await forEachLimit(uploads, concurrency, ([key, body, opts]) => store.put(key, body, opts, signal));
    },

    async writeChunk(meta, window, data, signal) {
      signal.throwIfAborted();
      validateWindow(meta, window);
      const { layout, arrays } = await describe(meta);
      const byName = new Map<string, ZarrArray>(arrays.map((a) => [a.name, a]));
      const nt = meta.time?.labels.length;
      const cx = window.x0 / meta.chunk.width;
      const cy = window.y0 / meta.chunk.height;
      const shape = { width: window.width, height: window.height, chunkWidth: meta.chunk.width, chunkHeight: meta.chunk.height };
      const plane = shape.chunkWidth * shape.chunkHeight;
      const jobs: (() => Promise<void>)[] = [];
      for (const v of meta.variables) {
        const samples = chunkSamples(meta, v, window, data);
        const { ctor } = DTYPE_INFO[v.dtype];
        // Padding and the emptiness test use the fill as stored (e.g. rounded to float32).
        const fillStored = new ctor(1);
        fillStored[0] = v.nodata ?? 0;
        const fill = fillStored[0];
        const chunks = byName.get(v.name)!.chunks;
        const steps = chunks.length === 3 ? chunks[0] : 1;
        for (let t0 = 0; t0 < (nt ?? 1); t0 += steps) {
          const count = Math.min(steps, (nt ?? 1) - t0);
          const indices = nt === undefined ? [cy, cx] : [t0 / steps, cy, cx];
          jobs.push(async () => {
            signal.throwIfAborted();
            // a full window of whole steps is already laid out as the chunk: no copy
            const whole = count === steps && window.width === shape.chunkWidth && window.height === shape.chunkHeight;
            const chunk = whole ? samples.subarray(t0 * plane, (t0 + count) * plane) : new ctor(steps * plane);
            if (!whole) packChunk(samples, shape, t0, count, chunk, fill);
            if (skipEmpty && v.nodata !== null && allEqual(chunk, fill)) return;
            let body = layout.encoder.encode(bytesOfSamples(chunk), bytesOf(v.dtype));
            // stored as is (codec none): the samples' memory is the executor's, reused for its next chunk
            if (whole && body.buffer === chunk.buffer) body = body.slice();
            await store.put(keyOf(chunkKey(layout, v.name, indices)), body, BINARY_TYPE, signal);
          });
        }
      }
      await forEachLimit(jobs, concurrency, (job) => job());
    },

    async finish(meta, signal) {
      signal.throwIfAborted();
      const { layout, docs } = await describe(meta);
      const [key, doc] = consolidatedDocument(layout, docs);
      await store.put(keyOf(key), encodeJson(doc), JSON_TYPE, signal);
      const { grid } = meta;
      const asset: WrittenAsset = {
        path: `${name}.zarr`,
        type: 'application/vnd+zarr',
        roles: ['data'],
        title: `Zarr v${format} store (${meta.variables.map((v) => v.name).join(', ')})`,
        // proj:wkt2 must be WKT2; a WKT1 we could not convert stays in the file's own attributes only
        ...(isWkt2(grid.crs.wkt) ? { 'proj:wkt2': grid.crs.wkt } : {}),
        'proj:shape': [grid.height, grid.width],
        'proj:transform': [...grid.transform],
        // how to open it (xarray-assets extension): the store's metadata is consolidated
        'xarray:open_kwargs': { engine: 'zarr', consolidated: true },
      };
      if (grid.crs.epsg !== undefined) asset['proj:code'] = `EPSG:${grid.crs.epsg}`;
      return [asset];
    },
  };
}
