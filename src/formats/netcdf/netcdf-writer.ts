/**
 * netCDF classic (CDF-2) results. A classic file is laid out variable by variable, row by row, so chunks that
 * arrive in any order (from any process) are staged as objects first; finish() streams the file front to back
 * one band of chunk rows at a time (memory: one band of one variable, plus the next one being fetched) into a
 * single upload, then removes the staging objects.
 */
import { OpenEOError } from '../../errors.ts';
import type { ObjectStore } from '../../storage/index.ts';
import { forEachLimit } from '../../async.ts';
import { isWkt2 } from '../../raster/grid/wkt2.ts';
import { type ChunkWindow, chunkSamples, DTYPE_INFO, type RasterFormatWriter, type RasterMeta, validateMeta, validateWindow, type VariableSpec, type WrittenAsset } from '../raster-writer.ts';
import { layoutFile, toBigEndian } from './cdf-format.ts';
import { describeCf } from './cf-description.ts';
import { packStaged, stagingKey, stagingRoot, unpackStaged } from './staging.ts';

export interface NetcdfWriterOptions {
  /** File name without extension (default `result`): the file is `<prefix>/<name>.nc`. */
  name?: string;
  /** Parallel staging uploads / downloads (default 4). */
  concurrency?: number;
}

/** True when all samples equal the variable's nodata as stored (NaN matches NaN). */
function allNodata(samples: ArrayLike<number>, v: VariableSpec, from: number, to: number): boolean {
  if (v.nodata === null) return false;
  const stored = new DTYPE_INFO[v.dtype].ctor(1);
  stored[0] = v.nodata;
  const fill = stored[0];
  if (Number.isNaN(fill)) {
    for (let i = from; i < to; i++) if (samples[i] === samples[i]) return false;
    return true;
  }
  for (let i = from; i < to; i++) if (samples[i] !== fill) return false;
  return true;
}

/** One plane (h x w) of big-endian nodata, or zeros for variables without nodata. */
function fillPlane(v: VariableSpec, count: number): Uint8Array {
  const a = new DTYPE_INFO[v.dtype].ctor(count);
  if (v.nodata !== null) a.fill(v.nodata);
  return toBigEndian(a, DTYPE_INFO[v.dtype].bytes);
}

export function createNetcdfWriter(store: ObjectStore, prefix: string, options: NetcdfWriterOptions = {}): RasterFormatWriter {
  const name = options.name ?? 'result';
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name)) throw new OpenEOError('ProcessParameterInvalid', `Invalid netCDF file name ${JSON.stringify(name)}.`);
  const concurrency = options.concurrency ?? 4;
  const trimmed = prefix.replace(/\/+$/, '');
  const root = trimmed === '' ? '' : `${trimmed}/`;
  const fileName = `${name}.nc`;
  const fileKey = `${root}${fileName}`;
  const stage = stagingRoot(root, fileName);

  /** The bytes of one band (rows y0..y0+h) of one time step of one variable, assembled from staged chunks. */
  async function band(meta: RasterMeta, v: VariableSpec, t: number, y0: number, signal: AbortSignal): Promise<Uint8Array> {
    const { width } = meta.grid;
    const h = Math.min(meta.chunk.height, meta.grid.height - y0);
    const size = DTYPE_INFO[v.dtype].bytes;
    const out = new Uint8Array(h * width * size);
    const xs: number[] = [];
    for (let x0 = 0; x0 < width; x0 += meta.chunk.width) xs.push(x0);
    await forEachLimit(xs, concurrency, async (x0) => {
      const w = Math.min(meta.chunk.width, width - x0);
      const staged = await store.get(stagingKey(stage, v.name, t, y0, x0), {}, signal);
      let bytes: Uint8Array;
      if (staged) bytes = await unpackStaged(staged, w * h * size);
      else if (v.nodata !== null) bytes = fillPlane(v, w * h);
      else throw new OpenEOError('Internal', `netCDF: chunk ${x0},${y0} of ${v.name} (t=${t}) was never written.`);
      for (let r = 0; r < h; r++) out.set(bytes.subarray(r * w * size, (r + 1) * w * size), (r * width + x0) * size);
    });
    return out;
  }

  async function* fileBytes(meta: RasterMeta, signal: AbortSignal): AsyncGenerator<Uint8Array> {
    const cf = describeCf(meta);
    const layout = layoutFile(cf.file);
    yield layout.header;
    const bands: { v: VariableSpec; t: number; y0: number }[] = [];
    let written = layout.header.length;
    for (let i = 0; i < cf.file.variables.length; i++) {
      if (written !== layout.begins[i]) throw new OpenEOError('Internal', 'netCDF layout mismatch');
      const small = cf.smallData.get(i);
      const dataPos = cf.dataIndex.indexOf(i);
      let produced = 0;
      if (small) {
        yield small;
        produced = small.length;
      } else {
        const v = meta.variables[dataPos];
        bands.length = 0;
        for (let t = 0; t < (meta.time?.labels.length ?? 1); t++) {
          for (let y0 = 0; y0 < meta.grid.height; y0 += meta.chunk.height) bands.push({ v, t, y0 });
        }
        // Fetch the next band while the current one is being uploaded.
        let pending = bands.length ? band(meta, bands[0].v, bands[0].t, bands[0].y0, signal) : undefined;
        for (let b = 0; b < bands.length; b++) {
          const current = await pending!;
          pending = b + 1 < bands.length ? band(meta, bands[b + 1].v, bands[b + 1].t, bands[b + 1].y0, signal) : undefined;
          // A rejected prefetch must not become an unhandled rejection if the consumer stops early.
          pending?.catch(() => undefined);
          yield current;
          produced += current.length;
        }
      }
      const padding = layout.sizes[i] - produced;
      if (padding > 0) yield new Uint8Array(padding);
      written += layout.sizes[i];
    }
  }

  return {
    async begin(meta, signal) {
      signal.throwIfAborted();
      validateMeta(meta);
      layoutFile(describeCf(meta).file); // fails early when the raster does not fit the classic format
    },

    async writeChunk(meta, window: ChunkWindow, data, signal) {
      signal.throwIfAborted();
      validateWindow(meta, window);
      const plane = window.width * window.height;
      const jobs: (() => Promise<void>)[] = [];
      for (const v of meta.variables) {
        const samples = chunkSamples(meta, v, window, data);
        for (let t = 0; t < (meta.time?.labels.length ?? 1); t++) {
          // Missing staged chunks read back as nodata: skipping empty ones saves a request each.
          if (allNodata(samples, v, t * plane, (t + 1) * plane)) continue;
          jobs.push(async () => {
            const bytes = toBigEndian(samples.subarray(t * plane, (t + 1) * plane), DTYPE_INFO[v.dtype].bytes);
            await store.put(stagingKey(stage, v.name, t, window.y0, window.x0), await packStaged(bytes), {}, signal);
          });
        }
      }
      await forEachLimit(jobs, concurrency, (job) => job());
    },

    async finish(meta, signal) {
      signal.throwIfAborted();
      validateMeta(meta);
      let staged = false;
      for await (const _ of store.list(stage, signal)) {
        staged = true;
        break;
      }
      // A repeated finish() after a successful one finds no staging objects: keep the file instead of blanking it.
      if (staged || !(await store.head(fileKey, signal))) {
        await store.put(fileKey, fileBytes(meta, signal), { contentType: 'application/x-netcdf' }, signal);
        await store.deletePrefix(stage, signal);
      }
      const { grid } = meta;
      const asset: WrittenAsset = {
        path: fileName,
        type: 'application/x-netcdf',
        roles: ['data'],
        title: `netCDF (${meta.variables.map((v) => v.name).join(', ')})`,
        // proj:wkt2 must be WKT2; a WKT1 we could not convert stays in the file's own attributes only
        ...(isWkt2(grid.crs.wkt) ? { 'proj:wkt2': grid.crs.wkt } : {}),
        'proj:shape': [grid.height, grid.width],
        'proj:transform': [...grid.transform],
      };
      if (grid.crs.epsg !== undefined) asset['proj:code'] = `EPSG:${grid.crs.epsg}`;
      return [asset];
    },
  };
}
