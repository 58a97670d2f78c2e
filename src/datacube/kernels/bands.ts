/** Band selection and stacking: picking planes by label and splitting pixel-interleaved samples into planes. */
import { OpenEOError } from '../../errors.ts';
import type { RasterArray } from '../../raster/data-types.ts';
import type { Label } from '../../processes/labeled-array.ts';
import { planeFromArray, type Plane } from './values.ts';

/** Position of a band given by label, or by index when a number is not among the labels; -1 if absent. */
export function bandIndex(labels: readonly Label[], band: Label): number {
  const i = labels.indexOf(band);
  if (i >= 0) return i;
  return typeof band === 'number' && Number.isInteger(band) && band >= 0 && band < labels.length ? band : -1;
}

/** The items (planes, or anything per band) of the wanted bands, in the wanted order. */
export function selectBands<T>(items: readonly T[], labels: readonly Label[], wanted: readonly Label[]): T[] {
  if (items.length !== labels.length) throw new RangeError('selectBands: one item per label is needed.');
  return wanted.map((w) => {
    const i = labels.indexOf(w);
    if (i < 0) throw new OpenEOError('ProcessParameterInvalid', `Band '${String(w)}' does not exist; available: ${labels.join(', ')}.`);
    return items[i];
  });
}

/**
 * Splits pixel-interleaved samples (b0 b1 … b0 b1 …) into one plane per band, each with its own no-data value
 * (one value for all, or one per band).
 */
export function planesFromInterleaved(src: RasterArray, bands: number, nodata: number | null | readonly (number | null)[] = null): Plane[] {
  if (bands < 1 || src.length % bands !== 0) throw new RangeError(`planesFromInterleaved: ${src.length} samples do not split into ${bands} bands.`);
  const n = src.length / bands;
  const planes: Plane[] = [];
  for (let b = 0; b < bands; b++) {
    const band = new (src.constructor as new (n: number) => RasterArray)(n);
    deinterleave(src, band, b, bands, n);
    planes.push(planeFromArray(band, { nodata: Array.isArray(nodata) ? (nodata as (number | null)[])[b] : (nodata as number | null) }));
  }
  return planes;
}

function deinterleave(src: RasterArray, out: RasterArray, offset: number, stride: number, n: number): void {
  for (let i = 0, j = offset; i < n; i++, j += stride) out[i] = src[j];
}

/** Copies planes of equal length one after the other into one plane (e.g. bands of a pixel column for a buffer). */
export function stackPlanes(planes: readonly Plane[]): Plane {
  const n = planes.length ? planes[0].data.length : 0;
  const data = new Float64Array(n * planes.length);
  const anyMask = planes.some((p) => p.valid !== null);
  const valid = anyMask ? new Uint8Array(n * planes.length) : null;
  planes.forEach((p, k) => {
    if (p.data.length !== n) throw new RangeError('stackPlanes: planes differ in length.');
    data.set(p.data, k * n);
    if (valid) {
      if (p.valid) valid.set(p.valid, k * n);
      else valid.fill(1, k * n, (k + 1) * n);
    }
  });
  return { data, valid };
}
