/** Equi7Grid Asia at 20 m: the CRS as EODC publishes it and the geometry of its 300 km "T3" tiles. */
import proj4 from 'proj4';
import { OpenEOError } from '../errors.ts';

export const EQUI7_ASIA_PROJ4 =
  '+proj=aeqd +lat_0=47 +lon_0=94 +x_0=4340913.84808 +y_0=4812712.92347 +datum=WGS84 +units=m +no_defs';

/** WKT1, the form EODC's items carry in `proj:wkt2` and the one proj4js parses. */
export const EQUI7_ASIA_WKT =
  'PROJCS["Azimuthal_Equidistant",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,' +
  '298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Azimuthal_Equidistant"],' +
  'PARAMETER["false_easting",4340913.84808],PARAMETER["false_northing",4812712.92347],' +
  'PARAMETER["longitude_of_center",94.0],PARAMETER["latitude_of_center",47.0],UNIT["Meter",1.0]]';

export const T3_SIZE_M = 300_000;
export const PIXEL_M = 20;
export const T3_PIXELS = T3_SIZE_M / PIXEL_M;

export interface T3Tile {
  name: string;
  /** Left edge (m). */
  x0: number;
  /** Top edge (m). */
  y0: number;
}

/** `E015N027T3` → left x 1,500,000 m, top y 3,000,000 m (the name gives the lower-left corner in 100 km). */
export function parseT3Tile(name: string): T3Tile {
  const m = /^E(\d{3})N(\d{3})T3$/.exec(name);
  if (!m) throw new OpenEOError('ProcessParameterInvalid', `not an Equi7 T3 tile name: ${name}`);
  return { name, x0: Number(m[1]) * 100_000, y0: Number(m[2]) * 100_000 + T3_SIZE_M };
}

/** Equi7 Asia metres ↔ WGS84 lon/lat. */
export const equi7ToLonLat = () => proj4(EQUI7_ASIA_PROJ4, 'EPSG:4326');

/** Footprint of an Equi7 rectangle in lon/lat, edges densified (they are curves in EPSG:4326), ring closed, CCW. */
export function footprintLonLat(x0: number, y0: number, width: number, height: number, steps = 16): number[][] {
  const conv = equi7ToLonLat();
  const ring: number[][] = [];
  const corners = [
    [x0, y0 - height],
    [x0 + width, y0 - height],
    [x0 + width, y0],
    [x0, y0],
  ];
  for (let c = 0; c < 4; c++) {
    const [ax, ay] = corners[c];
    const [bx, by] = corners[(c + 1) % 4];
    for (let s = 0; s < steps; s++) {
      const [lon, lat] = conv.forward([ax + ((bx - ax) * s) / steps, ay + ((by - ay) * s) / steps]);
      ring.push([Math.round(lon * 1e7) / 1e7, Math.round(lat * 1e7) / 1e7]);
    }
  }
  ring.push(ring[0]);
  return ring;
}

export function ringBbox(ring: number[][]): [number, number, number, number] {
  const lons = ring.map((p) => p[0]);
  const lats = ring.map((p) => p[1]);
  return [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
}
