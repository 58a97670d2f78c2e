/**
 * GeoTIFF output as Cloud-Optimized GeoTIFFs: chunks are staged in the store (compressed native-order samples),
 * and finish() writes one COG per variable and time step (or one multi-band COG per time step) tile by tile from
 * the staged chunks, uploads it and removes the staging area. Memory: one row of chunks per file being written.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { OpenEOError } from '../../errors.ts';
import type { ObjectStore } from '../../storage/index.ts';
import { writeCog, type CogCompression, type CogCrs, type CogTypedArray } from '../cog/index.ts';
import { packStaged, stagingKey, stagingRoot, unpackStaged } from '../netcdf/staging.ts';
import { DTYPE_INFO, type ChunkWindow, type RasterFormatWriter, type RasterMeta, type VariableSpec, type WrittenAsset } from '../raster-writer.ts';

export interface GtiffWriterOptions {
  /** File name stem (default `result`): `<stem>-<variable>[-<time>].tif`, or `<stem>[-<time>].tif` multi-band. */
  name?: string;
  compression?: CogCompression;
  /** One file with all variables as bands (they must share a data type). */
  multiband?: boolean;
}

const TILE = 512;

function crsOf(meta: RasterMeta): CogCrs {
  const c = meta.grid.crs;
  if (c.epsg) return { epsg: c.epsg };
  if (c.proj4) return { proj4: c.proj4 };
  return { wkt: c.wkt };
}

const timeTag = (label: string) => label.replace(/[-:]/g, '').replace(/\.\d+/, '');

export function createGtiffWriter(store: ObjectStore, prefix: string, options: GtiffWriterOptions = {}): RasterFormatWriter {
  const name = options.name ?? 'result';
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name)) throw new OpenEOError('ProcessParameterInvalid', `Invalid GeoTIFF file name ${JSON.stringify(name)}.`);
  const trimmed = prefix.replace(/\/+$/, '');
  const root = trimmed === '' ? '' : `${trimmed}/`;
  const stage = stagingRoot(root, `${name}-tif`);

  /** Samples of one tile of one variable and time step, assembled from the staged chunks it overlaps. */
  function tileReader(meta: RasterMeta, v: VariableSpec, t: number, signal: AbortSignal) {
    const { ctor, bytes: size } = DTYPE_INFO[v.dtype];
    const cache = new Map<string, Promise<CogTypedArray | undefined>>();
    let cachedRow = -1;
    const chunk = (y0: number, x0: number, w: number, h: number) => {
      const key = `${y0}_${x0}`;
      let hit = cache.get(key);
      if (!hit) {
        hit = (async () => {
          const staged = await store.get(stagingKey(stage, v.name, t, y0, x0), {}, signal);
          if (!staged) return undefined;
          const raw = await unpackStaged(staged, w * h * size);
          return new ctor(raw.buffer, raw.byteOffset, w * h) as CogTypedArray;
        })();
        cache.set(key, hit);
      }
      return hit;
    };
    const { width: W, height: H } = meta.grid;
    const { width: cw, height: ch } = meta.chunk;
    const fill = v.nodata ?? 0;
    return async (tx: number, ty: number): Promise<CogTypedArray> => {
      const x0 = tx * TILE;
      const y0 = ty * TILE;
      const tw = Math.min(TILE, W - x0);
      const th = Math.min(TILE, H - y0);
      const firstChunkRow = Math.floor(y0 / ch) * ch;
      if (firstChunkRow !== cachedRow) {
        // Tiles come row by row: chunks above the current tile row are not needed again.
        for (const k of [...cache.keys()]) if (Number(k.split('_')[0]) < firstChunkRow) cache.delete(k);
        cachedRow = firstChunkRow;
      }
      const tile = new ctor(tw * th) as CogTypedArray;
      tile.fill(fill);
      for (let cy = Math.floor(y0 / ch) * ch; cy < y0 + th; cy += ch) {
        for (let cx = Math.floor(x0 / cw) * cw; cx < x0 + tw; cx += cw) {
          const w = Math.min(cw, W - cx);
          const h = Math.min(ch, H - cy);
          const data = await chunk(cy, cx, w, h);
          if (!data) {
            if (v.nodata === null) throw new OpenEOError('Internal', `GeoTIFF: chunk ${cx},${cy} of '${v.name}' was never written.`);
            continue;
          }
          const r0 = Math.max(y0, cy);
          const r1 = Math.min(y0 + th, cy + h);
          const c0 = Math.max(x0, cx);
          const c1 = Math.min(x0 + tw, cx + w);
          for (let r = r0; r < r1; r++) {
            const src = (r - cy) * w + (c0 - cx);
            tile.set(data.subarray(src, src + (c1 - c0)) as never, (r - y0) * tw + (c0 - x0));
          }
        }
      }
      return tile;
    };
  }

  return {
    async begin(meta) {
      if (options.multiband && new Set(meta.variables.map((v) => v.dtype)).size > 1) {
        throw new OpenEOError('ProcessParameterInvalid', 'GTiff: a multi-band file needs all bands in one data type; set the dtype option.');
      }
    },
    async writeChunk(meta, window: ChunkWindow, data, signal) {
      const steps = meta.time?.labels.length ?? 1;
      const n = window.width * window.height;
      for (const v of meta.variables) {
        const arr = data[v.name] as CogTypedArray;
        const size = DTYPE_INFO[v.dtype].bytes;
        for (let t = 0; t < steps; t++) {
          const part = arr.subarray(t * n, (t + 1) * n);
          const bytes = new Uint8Array(part.buffer, part.byteOffset, n * size);
          await store.put(stagingKey(stage, v.name, t, window.y0, window.x0), await packStaged(bytes), {}, signal);
        }
      }
    },
    async finish(meta, signal) {
      const steps = meta.time?.labels ?? [undefined];
      const [a, b, c, d, e, f] = meta.grid.transform;
      const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gtiff-'));
      const assets: WrittenAsset[] = [];
      try {
        const groups: VariableSpec[][] = options.multiband ? [meta.variables] : meta.variables.map((v) => [v]);
        for (const [t, label] of steps.entries()) {
          for (const vars of groups) {
            const file = `${name}${options.multiband ? '' : `-${vars[0].name}`}${label ? `-${timeTag(label)}` : ''}.tif`;
            const local = path.join(tmp, file);
            const readers = vars.map((v) => tileReader(meta, v, t, signal));
            const nodata = vars[0].nodata;
            await writeCog(
              local,
              {
                width: meta.grid.width,
                height: meta.grid.height,
                bands: vars.length,
                dtype: vars[0].dtype as never,
                compression: options.compression ?? 'zstd',
                interleave: vars.length > 1 ? 'band' : 'pixel',
                ...(nodata !== null ? { nodata } : {}),
                crs: crsOf(meta),
                geoTransform: [c, a, b, f, d, e],
                bandDescriptions: vars.map((v) => v.name),
              },
              (band, tx, ty) => readers[band](tx, ty),
              signal,
            );
            const size = (await fs.stat(local)).size;
            await store.put(`${root}${file}`, createReadStream(local), { contentType: 'image/tiff; application=geotiff; profile=cloud-optimized' }, signal);
            await fs.rm(local, { force: true });
            assets.push({
              path: file,
              type: 'image/tiff; application=geotiff; profile=cloud-optimized',
              roles: ['data'],
              title: vars.map((v) => v.name).join(', ') + (label ? ` at ${label}` : ''),
              'file:size': size,
              ...(label ? { datetime: label } : {}),
              'raster:bands': vars.map((v) => ({ data_type: v.dtype, ...(v.nodata !== null ? { nodata: Number.isNaN(v.nodata) ? 'nan' : v.nodata } : {}) })),
              'eo:bands': vars.map((v) => ({ name: v.name })),
            });
          }
        }
        await store.deletePrefix(stage, signal);
        return assets;
      } finally {
        await fs.rm(tmp, { recursive: true, force: true });
      }
    },
  };
}
