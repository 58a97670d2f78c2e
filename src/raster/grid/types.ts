/**
 * Plain data types of the grid geometry. Everything here is pure (no I/O) so that planners, workers and tests can
 * pass grids around as JSON.
 */

/** A coordinate reference system as we carry it: `proj4` is always a definition the proj4 library accepts. */
export interface Crs {
  /** The WKT (1 or 2) we were given, kept for metadata output (Zarr, STAC, GeoTIFF keys). */
  wkt?: string;
  /** proj4 definition; our own canonical `+proj=… ` string whenever we could derive one (makes equality cheap). */
  proj4: string;
  epsg?: number;
}

/** Affine pixel → world transform in rasterio / affine order: x = a*col + b*row + c, y = d*col + e*row + f. */
export type Affine = readonly [a: number, b: number, c: number, d: number, e: number, f: number];

/** A georeferenced pixel grid. Pixel (0,0)'s top-left corner is at world (c, f). */
export interface Grid {
  crs: Crs;
  transform: Affine;
  width: number;
  height: number;
}

/** Integer pixel window: columns [col, col+width), rows [row, row+height). */
export interface Window {
  col: number;
  row: number;
  width: number;
  height: number;
}

/** [minX, minY, maxX, maxY] in some CRS's units. */
export type BBox = readonly [minX: number, minY: number, maxX: number, maxY: number];

/**
 * Where pixel edges fall, as a fraction of a pixel from the CRS origin on each axis (odc-geo's "anchor"):
 * [0, 0] puts edges on multiples of the resolution (odc-geo `AnchorEnum.EDGE`), [0.5, 0.5] puts centres there
 * (`CENTER`), `null` disables snapping (`tight=True` / `FLOATING`).
 */
export type Anchor = readonly [ax: number, ay: number] | null;

export const EDGE_ANCHOR: Anchor = [0, 0];
export const CENTER_ANCHOR: Anchor = [0.5, 0.5];
