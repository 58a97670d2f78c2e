/**
 * Reads the mosaic of one band of one time step for an output window: items sorted by id, first valid pixel wins
 * (odc-stac's rule), aligned items copied block-wise, others warped with nearest neighbour.
 *
 * Aligned items take the sparse path: readWindow reports which input blocks hold data, only those are copied, and
 * the plane carries their coverage, so later kernels skip the rest (most blocks of a swath are all no-data).
 */
import { allSettledFirst } from '../async.ts';
import { fillRect } from '../raster/block-copy.ts';
import { TYPED_ARRAY, type RasterArray } from '../raster/data-types.ts';
import type { Cog, CogReader } from '../raster/cog-reader.ts';
import { readWindow, type WindowReadResult } from '../raster/read-window.ts';
import { copyFirstValid, gatherFirstValid, planMosaic, type MosaicStep } from '../raster/grid/mosaic.ts';
import { clipSpans } from '../raster/grid/clip-spans.ts';
import { rebaseIndex, warpIndexMap } from '../raster/grid/warp.ts';
import type { Grid, Window } from '../raster/grid/types.ts';
import { BufferArena } from './arena.ts';
import type { LoadReader, LoadSlot, RawPlane } from './chunk-eval.ts';
import { coverageSpans, emptyCoverage, fillCoverageOutside, fillSpans, markRect, type Coverage } from './kernels/coverage.ts';
import { allocBuffers, planeFromArray, prepareBuffers } from './kernels/values.ts';
import type { CubeNode, LoadBand } from './types.ts';

type LoadNode = Extract<CubeNode, { op: 'load' }>;
type Pixels = Parameters<typeof copyFirstValid>[0];

export interface ReadStats {
  windows: number;
  pixels: number;
}

/** The value a band's pixels take where nothing is known; NaN for float bands without a nodata value. */
const fillOf = (band: LoadBand): number => band.nodata ?? (band.dtype.startsWith('float') ? NaN : 0);

const sameValue = (a: number | undefined, b: number) => a !== undefined && (a === b || (Number.isNaN(a) && Number.isNaN(b)));

interface ItemRead {
  step: MosaicStep;
  buf: RasterArray;
  win: Window;
  res: WindowReadResult;
  cog: Cog;
  /** Blocks that are all no-data were left out of `buf` (their pixels read as the band's fill anyway). */
  skipped: boolean;
}

export function createLoadReader(reader: CogReader, stats: ReadStats = { windows: 0, pixels: 0 }): LoadReader {
  const warpCache = new Map<string, { index: Int32Array; window?: Window }>();
  const clipCache = new Map<string, Int32Array | null>();
  const loader: LoadReader & { readRaw: NonNullable<LoadReader['readRaw']> } = {
    async read(node, step, bandIndex, target, signal, slot) {
      const band = node.bands[bandIndex];
      const n = target.width * target.height;
      const arena = slot?.arena ?? new BufferArena();
      const wide = band.dtype === 'float64' || band.dtype === 'int32' || band.dtype === 'uint32';
      const planeBuf = arena.take(`${slot?.key ?? ''}|${band.dtype}|plane`, n, () => allocBuffers(n, wide ? 'float64' : 'float32'));
      const raw = await loader.readRaw(node, step, bandIndex, target, signal, { arena, key: slot?.key ?? '' });
      if (!raw.cover) {
        prepareBuffers(planeBuf, null);
        return planeFromArray(raw.data, { nodata: raw.nodata, into: planeBuf });
      }
      const spans = coverageSpans(raw.cover);
      prepareBuffers(planeBuf, spans);
      return { ...planeFromArray(raw.data, { nodata: raw.nodata, into: planeBuf, spans }), cover: raw.cover };
    },

    async readRaw(node: LoadNode, step: number, bandIndex: number, target: Grid, signal: AbortSignal, slot?: LoadSlot): Promise<RawPlane> {
      const band = node.bands[bandIndex];
      const fill = fillOf(band);
      const nodata = band.nodata ?? (band.dtype.startsWith('float') ? NaN : null);
      const Typed = TYPED_ARRAY[band.dtype];
      const n = target.width * target.height;
      const arena = slot?.arena ?? new BufferArena();
      const key = `${slot?.key ?? ''}|${band.dtype}`;
      const raw = arena.scratch(`${key}|raw`, n, (len) => new Typed(len) as RasterArray);
      const items = node.steps[step].items;
      const plan = planMosaic(target, items.map((i) => ({ id: i.id, grid: i.grid })));
      const byId = new Map(items.map((i) => [i.id, i]));
      // Sparse only where "no data" means something: with a nodata value and aligned (copied) items.
      const sparse = nodata !== null && plan.every((p) => p.kind === 'copy');
      const cogs = await Promise.all(plan.map((p) => reader.open(byId.get(p.id)!.hrefs[band.name], signal)));
      // blocks straight into the chunk buffer, without the item buffer and a second copy, where nothing needs fusing
      const direct = sparse && readsDirectly(plan);
      const skips = cogs.map((cog) => sparse && sameValue(cog.info.nodata, fill));
      // an item that fails stops the others before this read fails: they write into the slot's buffers
      const reads = await allSettledFirst(
        signal,
        plan.map((p, k) => async (signal: AbortSignal): Promise<ItemRead> => {
          const item = byId.get(p.id)!;
          const cog = cogs[k];
          const w = p.kind === 'copy' ? p.src : (warpFor(p.id, item.grid) ?? p.src);
          const skipped = skips[k];
          const into = direct && p.kind === 'copy' ? { buf: raw, outOffset: p.dst.row * target.width + p.dst.col, outStride: target.width } : undefined;
          const buf = into?.buf ?? arena.scratch(`${key}|item${k}`, w.width * w.height, (len) => new Typed(len) as RasterArray);
          const res = await readWindow(cog, { x0: w.col, y0: w.row, width: w.width, height: w.height }, 0, buf, signal, { fill, fillNodata: !skipped, ...into });
          // it wrote its own nodata over its window, which the coverage of neighbours' blocks may reach into
          if (into && !skipped && res.allNodata) fillRect(raw, into.outOffset, into.outStride, w.width, w.height, fill);
          stats.windows++;
          stats.pixels += w.width * w.height;
          return { step: p, buf, win: w, res, cog, skipped };
        }),
      );
      if (direct) {
        // reads wrote their data blocks only: the rest of the tiles those blocks touch gets the fill value
        const pieces = sparsePieces(reads);
        const cover = pieceCoverage(pieces, target);
        fillCoverageOutside(raw, cover, pieces.map((p) => p.dst), fill);
        return clipped({ data: raw, nodata, cover });
      }
      if (sparse) return clipped({ data: raw, nodata, cover: fuseSparse(reads, target, raw, fill) });
      raw.fill(fill);
      let empty = true;
      for (const { step: p, buf, win: w, res } of reads) {
        if (res.allNodata) continue;
        if (p.kind === 'copy') {
          copyFirstValid(raw as Pixels, target.width, p.dst, buf as Pixels, w.width, 0, 0, fill, empty);
        } else {
          if (!warpFor(p.id, byId.get(p.id)!.grid)) continue;
          gatherFirstValid(raw as Pixels, warpCache.get(warpKey(p.id))!.index, buf as Pixels, fill);
        }
        empty = false;
      }
      return clipped({ data: raw, nodata });

      /** Pixels outside the extent the load read before it was resampled are no-data (see the load node's clip). */
      function clipped(plane: RawPlane): RawPlane {
        if (!node.clip) return plane;
        // the same chunk grid may be clipped to other extents by other loads, plans and jobs of this thread
        const { clip } = node;
        const key = `${target.transform.join(',')}|${target.width}x${target.height}|${clip.transform.join(',')}|${clip.width}x${clip.height}|${clip.crs.proj4}`;
        let inside = clipCache.get(key);
        if (inside === undefined) {
          inside = clipSpans(target, clip) ?? null;
          if (clipCache.size > 64) clipCache.clear();
          clipCache.set(key, inside);
        }
        if (inside) fillOutsideSpans(raw, inside, fill, n);
        return plane;
      }

      function warpKey(id: string) {
        return `${id}|${target.transform.join(',')}|${target.width}x${target.height}`;
      }
      function warpFor(id: string, grid: Grid) {
        let hit = warpCache.get(warpKey(id));
        if (!hit) {
          const r = warpIndexMap(target, grid, { signal });
          if (r.window) rebaseIndex(r.index, grid.width, r.window);
          hit = { index: r.index, window: r.window };
          if (warpCache.size > 64) warpCache.clear();
          warpCache.set(warpKey(id), hit);
        }
        return hit.window;
      }
    },
  };
  return loader;
}

/** A rectangle of the chunk (dst) and where it sits in an item's read buffer (src col/row). */
interface Piece {
  item: number;
  dst: Window;
  srcCol: number;
  srcRow: number;
}

/**
 * Fuses aligned item windows on the pixels of their data blocks only: the coverage is the union of those blocks,
 * the raw buffer is filled within the coverage, and each block's rectangle is copied (first valid wins where an
 * earlier item's rectangle overlaps it, a plain row copy elsewhere).
 */
function fuseSparse(reads: ItemRead[], target: Grid, raw: RasterArray, fill: number): Coverage {
  const pieces = sparsePieces(reads);
  const cover = pieceCoverage(pieces, target);
  const spans = coverageSpans(cover);
  fillSpans(raw, spans, fill);
  pieces.forEach((p, k) => {
    let overlaps = false;
    for (let j = 0; j < k && !overlaps; j++) overlaps = pieces[j].item !== p.item && intersects(pieces[j].dst, p.dst);
    const r = reads[p.item];
    copyFirstValid(raw as Pixels, target.width, p.dst, r.buf as Pixels, r.win.width, p.srcCol, p.srcRow, fill, !overlaps);
  });
  return cover;
}

function pieceCoverage(pieces: Piece[], target: Grid): Coverage {
  const cover = emptyCoverage(target.width, target.height);
  for (const p of pieces) markRect(cover, p.dst.col, p.dst.row, p.dst.width, p.dst.height);
  return cover;
}

/** Whether the items can be read straight into the chunk buffer: aligned copies that do not overlap (nothing to fuse). */
function readsDirectly(plan: MosaicStep[]): boolean {
  return plan.every((p, k) => p.kind === 'copy' && plan.slice(0, k).every((q) => q.kind === 'copy' && !intersects(q.dst, p.dst)));
}

/** The rectangles (in chunk pixels) the items' reads filled: their data blocks, or their whole window. */
function sparsePieces(reads: ItemRead[]): Piece[] {
  const pieces: Piece[] = [];
  reads.forEach((r, item) => {
    if (r.res.allNodata || r.step.kind !== 'copy') return;
    const { dst } = r.step;
    const dx = dst.col - r.win.col;
    const dy = dst.row - r.win.row;
    if (!r.skipped) {
      pieces.push({ item, dst, srcCol: 0, srcRow: 0 });
      return;
    }
    // a block at the image's edge was copied up to that edge only
    const { tileWidth: tw, tileHeight: th, width: iw, height: ih } = r.cog.info;
    for (const b of r.res.blocks) {
      if (b.state !== 'data') continue;
      const x0 = Math.max(r.win.col, b.col * tw);
      const y0 = Math.max(r.win.row, b.row * th);
      const x1 = Math.min(r.win.col + r.win.width, (b.col + 1) * tw, iw);
      const y1 = Math.min(r.win.row + r.win.height, (b.row + 1) * th, ih);
      if (x0 < x1 && y0 < y1) pieces.push({ item, dst: { col: x0 + dx, row: y0 + dy, width: x1 - x0, height: y1 - y0 }, srcCol: x0 - r.win.col, srcRow: y0 - r.win.row });
    }
  });
  return pieces;
}

const intersects = (a: Window, b: Window) =>
  a.col < b.col + b.width && b.col < a.col + a.width && a.row < b.row + b.height && b.row < a.row + a.height;

/** Writes `fill` to the pixels [0, n) outside the spans ([start, end) pairs, sorted, disjoint). */
function fillOutsideSpans(raw: RasterArray, spans: Int32Array, fill: number, n: number): void {
  let at = 0;
  for (let k = 0; k < spans.length; k += 2) {
    if (spans[k] > at) raw.fill(fill, at, spans[k]);
    at = spans[k + 1];
  }
  if (at < n) raw.fill(fill, at, n);
}
