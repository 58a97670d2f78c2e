/**
 * Quicklook PNGs, one per variable: each chunk contributes its nearest-neighbour samples of a grid downsampled
 * by an integer factor (so the image fits `maxSize` on its longest side) as a small staging object; finish()
 * assembles the samples, colours them and writes `<name>-<variable>.png`. Cubes with time show the last step.
 * A sample belongs to the chunk containing source pixel (row*f, col*f), so chunks never overlap.
 */
import { forEachLimit } from '../../async.ts';
import { OpenEOError } from '../../errors.ts';
import type { ObjectStore } from '../../storage/index.ts';
import { type ChunkWindow, chunkSamples, DTYPE_INFO, type RasterFormatWriter, type RasterMeta, validateMeta, validateWindow, type VariableSpec, type WrittenAsset } from '../raster-writer.ts';
import { colorTable } from './colormaps.ts';
import { renderPng } from './render.ts';

export interface QuicklookOptions {
  /** Longest side of the image in pixels (default 1024); the grid is downsampled by an integer factor. */
  maxSize?: number;
  /** Colour map (default viridis). */
  colormap?: string;
  /** Value range; defaults to the min/max of the quicklook's valid samples. */
  min?: number;
  max?: number;
  /** Files are `<name>-<variable>.png` (default `quicklook`). */
  name?: string;
}

export interface QuicklookGeometry {
  factor: number;
  width: number;
  height: number;
}

export function quicklookGeometry(meta: RasterMeta, maxSize: number): QuicklookGeometry {
  const factor = Math.max(1, Math.ceil(Math.max(meta.grid.width, meta.grid.height) / maxSize));
  return { factor, width: Math.ceil(meta.grid.width / factor), height: Math.ceil(meta.grid.height / factor) };
}

/** The quicklook pixels [first, end) along one axis whose source pixel lies in [from, from + length). */
export function samplesIn(from: number, length: number, factor: number): { first: number; count: number } {
  const first = Math.ceil(from / factor);
  const end = Math.ceil((from + length) / factor);
  return { first, count: Math.max(0, end - first) };
}

/** Nearest-neighbour samples of the last time plane of one chunk. */
function downsample(samples: ArrayLike<number>, plane: number, w: ChunkWindow, f: number, cols: { first: number; count: number }, rows: { first: number; count: number }, out: { [i: number]: number }): void {
  let o = 0;
  for (let r = 0; r < rows.count; r++) {
    const sy = (rows.first + r) * f - w.y0;
    const base = plane + sy * w.width;
    for (let c = 0; c < cols.count; c++) out[o++] = samples[base + (cols.first + c) * f - w.x0];
  }
}

export function createQuicklookWriter(store: ObjectStore, prefix: string, options: QuicklookOptions = {}): RasterFormatWriter {
  const maxSize = options.maxSize ?? 1024;
  if (!Number.isInteger(maxSize) || maxSize < 1) throw new OpenEOError('ProcessParameterInvalid', `Quicklook size must be a positive integer, got ${maxSize}.`);
  colorTable(options.colormap ?? 'viridis'); // unknown names fail before any work is done
  if (options.min !== undefined && options.max !== undefined && !(options.min <= options.max)) {
    throw new OpenEOError('ProcessParameterInvalid', `PNG: the value range must have min <= max, got min ${options.min} and max ${options.max}.`);
  }
  const name = options.name ?? 'quicklook';
  const trimmed = prefix.replace(/\/+$/, '');
  const root = trimmed === '' ? '' : `${trimmed}/`;
  const stage = `${root}.staging/${name}-png/`;
  const tileKey = (v: string, w: ChunkWindow) => `${stage}${v}/${w.y0}_${w.x0}.bin`;
  const fileOf = (v: VariableSpec) => `${name}-${v.name}.png`;

  async function assemble(meta: RasterMeta, v: VariableSpec, g: QuicklookGeometry, signal: AbortSignal): Promise<Float64Array> {
    const image = new Float64Array(g.width * g.height).fill(NaN);
    const { ctor, bytes } = DTYPE_INFO[v.dtype];
    const windows: ChunkWindow[] = [];
    for (let y0 = 0; y0 < meta.grid.height; y0 += meta.chunk.height) {
      for (let x0 = 0; x0 < meta.grid.width; x0 += meta.chunk.width) {
        windows.push({ x0, y0, width: Math.min(meta.chunk.width, meta.grid.width - x0), height: Math.min(meta.chunk.height, meta.grid.height - y0) });
      }
    }
    // many small objects: fetched a few at a time (each lands in its own part of the image)
    await forEachLimit(windows, 8, async (w) => {
      signal.throwIfAborted();
      const cols = samplesIn(w.x0, w.width, g.factor);
      const rows = samplesIn(w.y0, w.height, g.factor);
      if (cols.count === 0 || rows.count === 0) return;
      const staged = await store.get(tileKey(v.name, w), {}, signal);
      if (!staged) return; // never written: shown transparent
      if (staged.length !== cols.count * rows.count * bytes) throw new OpenEOError('Internal', `Quicklook tile ${w.x0},${w.y0} of ${v.name} has a wrong size.`);
      const copy = staged.slice();
      const values = new ctor(copy.buffer, 0, cols.count * rows.count);
      for (let r = 0; r < rows.count; r++) {
        for (let c = 0; c < cols.count; c++) image[(rows.first + r) * g.width + cols.first + c] = values[r * cols.count + c];
      }
    });
    return image;
  }

  return {
    async begin(meta, signal) {
      signal.throwIfAborted();
      validateMeta(meta);
    },

    async writeChunk(meta, window, data, signal) {
      signal.throwIfAborted();
      validateWindow(meta, window);
      const g = quicklookGeometry(meta, maxSize);
      const cols = samplesIn(window.x0, window.width, g.factor);
      const rows = samplesIn(window.y0, window.height, g.factor);
      if (cols.count === 0 || rows.count === 0) return;
      const lastPlane = ((meta.time?.labels.length ?? 1) - 1) * window.width * window.height;
      await Promise.all(
        meta.variables.map(async (v) => {
          const samples = chunkSamples(meta, v, window, data);
          const tile = new DTYPE_INFO[v.dtype].ctor(cols.count * rows.count);
          downsample(samples, lastPlane, window, g.factor, cols, rows, tile);
          await store.put(tileKey(v.name, window), new Uint8Array(tile.buffer, tile.byteOffset, tile.byteLength), {}, signal);
        }),
      );
    },

    async finish(meta, signal) {
      signal.throwIfAborted();
      validateMeta(meta);
      const g = quicklookGeometry(meta, maxSize);
      let staged = false;
      for await (const _ of store.list(stage, signal)) {
        staged = true;
        break;
      }
      const assets: WrittenAsset[] = [];
      // A repeated finish() finds the staging area gone: keep the images it wrote.
      const todo = await Promise.all(meta.variables.map(async (v) => staged || !(await store.head(`${root}${fileOf(v)}`, signal))));
      // the next variable's staged tiles are fetched while this one is rendered (two images in memory at most)
      const fetch = (i: number) => (i < meta.variables.length && todo[i] ? assemble(meta, meta.variables[i], g, signal) : Promise.resolve(undefined));
      let next = fetch(0);
      for (const [i, v] of meta.variables.entries()) {
        const image = await next;
        next = fetch(i + 1);
        next.catch(() => {}); // awaited in the next round; a failure while this one renders is not unhandled
        if (image) {
          const png = renderPng(image, g.width, g.height, { colormap: options.colormap, min: options.min, max: options.max, nodata: v.nodata });
          await store.put(`${root}${fileOf(v)}`, png, { contentType: 'image/png' }, signal);
        }
        const label = meta.time ? ` at ${meta.time.labels[meta.time.labels.length - 1]}` : '';
        assets.push({ path: fileOf(v), type: 'image/png', roles: ['overview'], title: `Quicklook of ${v.name}${label}`, 'proj:shape': [g.height, g.width] });
      }
      await store.deletePrefix(stage, signal);
      return assets;
    },
  };
}
