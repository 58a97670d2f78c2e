/**
 * Where a chunk plane may hold valid pixels, at the granularity of square tiles. Swath acquisitions leave most input
 * blocks entirely no-data; the load reader knows which blocks those are, so kernels and reducers visit only the
 * tiles that can hold data. Iteration goes through spans: [start, end) pairs of flat pixel indices, row-major,
 * sorted and disjoint, so that a kernel's inner loop stays a plain loop over contiguous pixels.
 */

export interface Coverage {
  /** Plane size in pixels. */
  readonly width: number;
  readonly height: number;
  /** Tile edge in pixels. */
  readonly tile: number;
  readonly cols: number;
  readonly rows: number;
  /** Per tile, row-major: 1 when the tile may hold valid pixels. */
  readonly flags: Uint8Array;
  /** Set by coverageSpans (a coverage is not marked any more once its spans were asked for). */
  spans?: Int32Array;
}

/** Default tile edge: small enough that tiles hug 512-px input blocks at any offset, large enough for long runs. */
export const COVERAGE_TILE = 32;

export function emptyCoverage(width: number, height: number, tile = COVERAGE_TILE): Coverage {
  const cols = Math.ceil(width / tile);
  const rows = Math.ceil(height / tile);
  return { width, height, tile, cols, rows, flags: new Uint8Array(cols * rows) };
}

/** Flags every tile the pixel rectangle touches (clipped to the plane). */
export function markRect(c: Coverage, col: number, row: number, width: number, height: number): void {
  const x0 = Math.max(0, col);
  const y0 = Math.max(0, row);
  const x1 = Math.min(c.width, col + width);
  const y1 = Math.min(c.height, row + height);
  if (x0 >= x1 || y0 >= y1) return;
  c.spans = undefined;
  const t = c.tile;
  const tx1 = Math.ceil(x1 / t);
  for (let ty = Math.floor(y0 / t); ty < Math.ceil(y1 / t); ty++) c.flags.fill(1, ty * c.cols + Math.floor(x0 / t), ty * c.cols + tx1);
}

export function coverageIsEmpty(c: Coverage): boolean {
  return c.flags.indexOf(1) < 0;
}

/** True when every tile is flagged (the spans are then the one span of the whole plane). */
export function coverageIsFull(c: Coverage): boolean {
  return c.flags.indexOf(0) < 0;
}

/** Flagged pixels. */
export function coveredPixels(c: Coverage): number {
  const s = coverageSpans(c);
  let k = 0;
  for (let i = 0; i < s.length; i += 2) k += s[i + 1] - s[i];
  return k;
}

/** The union of two coverages of the same plane (same tiling), or undefined when either is undefined (= all). */
export function unionCoverage(a: Coverage | undefined, b: Coverage | undefined): Coverage | undefined {
  if (!a || !b) return undefined;
  if (a.width !== b.width || a.height !== b.height || a.tile !== b.tile) return undefined;
  const u = emptyCoverage(a.width, a.height, a.tile);
  for (let i = 0; i < u.flags.length; i++) u.flags[i] = a.flags[i] | b.flags[i];
  return u;
}

/** The pixel columns [start, end) of the runs of flagged tiles in tile row `ty`, into `runs` (cols + 1 long); returns how many numbers it wrote. */
function tileRowRuns(c: Coverage, ty: number, runs: Int32Array): number {
  const { width: w, tile: t, cols, flags } = c;
  const base = ty * cols;
  let r = 0;
  for (let tx = 0; tx < cols; ) {
    if (flags[base + tx] === 0) {
      tx++;
      continue;
    }
    runs[r++] = tx * t;
    while (tx < cols && flags[base + tx] !== 0) tx++;
    runs[r++] = Math.min(w, tx * t);
  }
  return r;
}

/**
 * The flagged pixels as [start, end) index pairs, computed once per coverage. The runs of flagged tiles are found
 * once per row of tiles and repeated for each of its pixel rows.
 */
export function coverageSpans(c: Coverage): Int32Array {
  if (c.spans) return c.spans;
  const { width: w, height: h, tile: t, cols, rows } = c;
  const runs = new Int32Array(cols + 1);
  let out = new Int32Array(64);
  let k = 0;
  for (let ty = 0; ty < rows; ty++) {
    const r = tileRowRuns(c, ty, runs);
    if (r === 0) continue;
    const y1 = Math.min(h, (ty + 1) * t);
    const need = k + (y1 - ty * t) * r;
    if (need > out.length) {
      const grown = new Int32Array(Math.max(need, out.length * 2));
      grown.set(out.subarray(0, k));
      out = grown;
    }
    for (let y = ty * t; y < y1; y++) {
      const o = y * w;
      for (let j = 0; j < r; j += 2) {
        const a = o + runs[j];
        // consecutive rows of a full-width run are one contiguous span
        if (k > 0 && out[k - 1] === a) out[k - 1] = o + runs[j + 1];
        else {
          out[k++] = a;
          out[k++] = o + runs[j + 1];
        }
      }
    }
  }
  c.spans = out.slice(0, k);
  return c.spans;
}

/** The one span covering n pixels. */
export function denseSpans(n: number): Int32Array {
  return Int32Array.of(0, n);
}

/** Sets `arr` to `value` over the spans. */
export function fillSpans(arr: { fill(v: number, a: number, b: number): unknown }, spans: Int32Array, value: number): void {
  for (let s = 0; s < spans.length; s += 2) arr.fill(value, spans[s], spans[s + 1]);
}

/**
 * Sets `arr` to `value` over the pixels of the flagged tiles that no rectangle covers. Within a row of tiles, the
 * pixel rows that the same rectangles cross have the same gaps: those are found once, so rows without gaps cost
 * nothing beyond that.
 */
export function fillCoverageOutside(
  arr: { fill(v: number, a: number, b: number): unknown },
  c: Coverage,
  rects: readonly { col: number; row: number; width: number; height: number }[],
  value: number,
): void {
  const { width: w, height: h, tile: t, cols, rows } = c;
  const runs = new Int32Array(cols + 1);
  const gaps: number[] = [];
  for (let ty = 0; ty < rows; ty++) {
    const nRuns = tileRowRuns(c, ty, runs);
    if (nRuns === 0) continue;
    const yEnd = Math.min(h, (ty + 1) * t);
    for (let y = ty * t; y < yEnd; ) {
      const [merged, bandTo] = rowIntervals(rects, y);
      const y1 = Math.min(yEnd, bandTo);
      gaps.length = 0;
      for (let r = 0; r < nRuns; r += 2) {
        let x = runs[r];
        for (let j = 0; j < merged.length && x < runs[r + 1]; j += 2) {
          if (merged[j + 1] <= x) continue;
          if (merged[j] >= runs[r + 1]) break;
          if (merged[j] > x) gaps.push(x, merged[j]);
          x = merged[j + 1];
        }
        if (x < runs[r + 1]) gaps.push(x, runs[r + 1]);
      }
      for (let yy = y; gaps.length > 0 && yy < y1; yy++) {
        for (let g = 0; g < gaps.length; g += 2) arr.fill(value, yy * w + gaps[g], yy * w + gaps[g + 1]);
      }
      y = y1;
    }
  }
}

/** The sorted, merged column intervals of the rectangles crossing row y, and the first row below y crossed by other ones. */
function rowIntervals(rects: readonly { col: number; row: number; width: number; height: number }[], y: number): [number[], number] {
  let to = Infinity;
  const hits: [number, number][] = [];
  for (const r of rects) {
    if (r.width <= 0 || r.height <= 0) continue;
    if (y < r.row) to = Math.min(to, r.row);
    else if (y < r.row + r.height) {
      hits.push([r.col, r.col + r.width]);
      to = Math.min(to, r.row + r.height);
    }
  }
  hits.sort((p, q) => p[0] - q[0]);
  const merged: number[] = [];
  for (const [c0, c1] of hits) {
    if (merged.length > 0 && c0 <= merged[merged.length - 1]) merged[merged.length - 1] = Math.max(merged[merged.length - 1], c1);
    else merged.push(c0, c1);
  }
  return [merged, to];
}

/** A coverage with the same tiling and flags that can be marked on its own. */
export function copyCoverage(c: Coverage): Coverage {
  return { width: c.width, height: c.height, tile: c.tile, cols: c.cols, rows: c.rows, flags: c.flags.slice() };
}

/** Adds `from`'s tiles to `into`; false (and nothing changed) when their tilings differ. */
export function addCoverage(into: Coverage, from: Coverage): boolean {
  if (into.width !== from.width || into.height !== from.height || into.tile !== from.tile) return false;
  into.spans = undefined;
  const a = into.flags;
  const b = from.flags;
  for (let i = 0; i < a.length; i++) a[i] |= b[i];
  return true;
}
