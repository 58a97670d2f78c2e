/**
 * Reads the mosaic of one band of one time step for an output window: items sorted by id, first valid pixel wins
 * (odc-stac's rule), aligned items copied block-wise, others warped with nearest neighbour.
 */
import { TYPED_ARRAY, type RasterArray } from '../raster/data-types.ts';
import type { CogReader } from '../raster/cog-reader.ts';
import { readWindow } from '../raster/read-window.ts';
import { copyFirstValid, gatherFirstValid, planMosaic } from '../raster/grid/mosaic.ts';
import { rebaseIndex, warpIndexMap } from '../raster/grid/warp.ts';
import type { Grid } from '../raster/grid/types.ts';
import type { LoadReader } from './chunk-eval.ts';
import { planeFromArray, type Plane } from './kernels/values.ts';
import type { CubeNode, LoadBand } from './types.ts';

type LoadNode = Extract<CubeNode, { op: 'load' }>;
type Pixels = Parameters<typeof copyFirstValid>[0];

export interface ReadStats {
  windows: number;
  pixels: number;
}

/** The value a band's pixels take where nothing is known; NaN for float bands without a nodata value. */
const fillOf = (band: LoadBand): number => band.nodata ?? (band.dtype.startsWith('float') ? NaN : 0);

export function createLoadReader(reader: CogReader, stats: ReadStats = { windows: 0, pixels: 0 }): LoadReader {
  const warpCache = new Map<string, { index: Int32Array; window?: { col: number; row: number; width: number; height: number } }>();
  return {
    async read(node: LoadNode, step: number, bandIndex: number, target: Grid, signal: AbortSignal): Promise<Plane> {
      const band = node.bands[bandIndex];
      const fill = fillOf(band);
      const Typed = TYPED_ARRAY[band.dtype];
      const n = target.width * target.height;
      const dst = new Typed(n) as RasterArray;
      dst.fill(fill);
      const items = node.steps[step].items;
      const plan = planMosaic(target, items.map((i) => ({ id: i.id, grid: i.grid })));
      const byId = new Map(items.map((i) => [i.id, i]));
      // Fetch every contributing window concurrently, then fuse in id order.
      const reads = plan.map(async (p) => {
        const item = byId.get(p.id)!;
        const cog = await reader.open(item.hrefs[band.name], signal);
        const w = p.kind === 'copy' ? p.src : (warpFor(p.id, item.grid) ?? p.src);
        const buf = new Typed(w.width * w.height) as RasterArray;
        const res = await readWindow(cog, { x0: w.col, y0: w.row, width: w.width, height: w.height }, 0, buf, signal, { fill });
        stats.windows++;
        stats.pixels += w.width * w.height;
        return { buf, w, allNodata: res.allNodata };
      });
      const windows = await Promise.all(reads);
      let empty = true;
      plan.forEach((p, k) => {
        const { buf, w, allNodata } = windows[k];
        if (allNodata) return;
        if (p.kind === 'copy') {
          copyFirstValid(dst as Pixels, target.width, p.dst, buf as Pixels, w.width, 0, 0, fill, empty);
        } else {
          const warp = warpFor(p.id, byId.get(p.id)!.grid);
          if (!warp) return;
          gatherFirstValid(dst as Pixels, warpIndexOf(p.id), buf as Pixels, fill);
        }
        empty = false;
      });
      return planeFromArray(dst, { nodata: band.nodata ?? (band.dtype.startsWith('float') ? NaN : null) });

      function key(id: string) {
        return `${id}|${target.transform.join(',')}|${target.width}x${target.height}`;
      }
      function warpFor(id: string, grid: Grid) {
        let hit = warpCache.get(key(id));
        if (!hit) {
          const r = warpIndexMap(target, grid, { signal });
          if (r.window) rebaseIndex(r.index, grid.width, r.window);
          hit = { index: r.index, window: r.window };
          if (warpCache.size > 64) warpCache.clear();
          warpCache.set(key(id), hit);
        }
        return hit.window;
      }
      function warpIndexOf(id: string) {
        return warpCache.get(key(id))!.index;
      }
    },
  };
}
