/** EODC-like GFM items (see the demo contract) generated for the catalog tests. */
import proj4 from 'proj4';
import type { StacItem } from '../../src/catalog/types.ts';

export const EQUI7_AS_PROJ4 = '+proj=aeqd +lat_0=47 +lon_0=94 +x_0=4340913.84808 +y_0=4812712.92347 +datum=WGS84 +units=m +no_defs';
export const EQUI7_AS_WKT = 'PROJCS["Azimuthal_Equidistant",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Azimuthal_Equidistant"],PARAMETER["latitude_of_center",47],PARAMETER["longitude_of_center",94],PARAMETER["false_easting",4340913.84808],PARAMETER["false_northing",4812712.92347],UNIT["metre",1]]';

/** Lower-left corner of a T3 tile name in metres: E015N027T3 → (1 500 000, 2 700 000). */
export function tileOrigin(tile: string): [number, number] {
  const m = /^E(\d{3})N(\d{3})T3$/.exec(tile);
  if (!m) throw new Error(`bad tile ${tile}`);
  return [Number(m[1]) * 100_000, Number(m[2]) * 100_000];
}

/** Tile footprint in lon/lat, densified along the edges (the tile is curved in lon/lat). */
export function tileFootprint(tile: string): number[][][] {
  const [x0, y0] = tileOrigin(tile);
  const conv = proj4(EQUI7_AS_PROJ4, 'EPSG:4326');
  const ring: number[][] = [];
  const n = 10, size = 300_000;
  for (let i = 0; i < n; i++) ring.push([x0 + (size * i) / n, y0]);
  for (let i = 0; i < n; i++) ring.push([x0 + size, y0 + (size * i) / n]);
  for (let i = 0; i < n; i++) ring.push([x0 + size - (size * i) / n, y0 + size]);
  for (let i = 0; i < n; i++) ring.push([x0, y0 + size - (size * i) / n]);
  ring.push(ring[0]);
  return [ring.map((p) => conv.forward(p))];
}

const compact = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d+Z$|Z$/, '');

export function makeItem(tile: string, datetime: string, opts: { assetBase?: string; relative?: boolean } = {}): StacItem {
  const id = `ENSEMBLE_FLOOD_${compact(datetime)}_VV_AS020M_${tile}`;
  const [x0, y0] = tileOrigin(tile);
  const coords = tileFootprint(tile);
  const lons = coords[0].map((p) => p[0]), lats = coords[0].map((p) => p[1]);
  const asset = (band: string) => ({
    href: opts.relative ? `../cogs/${tile}/${id}_${band}.tif` : `${opts.assetBase ?? 'https://data.example/gfm'}/${tile}/${id}_${band}.tif`,
    type: 'image/tiff; application=geotiff; profile=cloud-optimized',
    roles: ['data'],
    'raster:bands': [{ data_type: 'uint8', nodata: 255 }],
  });
  return {
    type: 'Feature',
    stac_version: '1.0.0',
    id,
    collection: 'GFM',
    geometry: { type: 'Polygon', coordinates: coords },
    bbox: [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)],
    properties: {
      datetime,
      'proj:wkt2': EQUI7_AS_WKT,
      'proj:shape': [15000, 15000],
      'proj:transform': [20, 0, x0, 0, -20, y0 + 300_000],
      gsd: 20,
      Equi7Tile: tile,
    },
    assets: { ensemble_flood_extent: asset('ensemble_flood_extent'), ensemble_likelihood: asset('ensemble_likelihood') },
    links: [],
  };
}

/** `days` acquisitions in August 2023, each covering `tiles` at one shared timestamp. */
export function makeItems(days: number, tiles = ['E015N027T3', 'E018N027T3'], opts: { assetBase?: string; relative?: boolean } = {}): StacItem[] {
  const out: StacItem[] = [];
  for (let d = 0; d < days; d++) {
    const dt = new Date(Date.UTC(2023, 7, 1 + d, 1, 23, 45)).toISOString().replace('.000Z', 'Z');
    for (const t of tiles) out.push(makeItem(t, dt, opts));
  }
  return out;
}
