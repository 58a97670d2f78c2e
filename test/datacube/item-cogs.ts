/**
 * Item COGs for the load reader tests, written by GDAL (Debian's python3): items sit at pixel offsets of one 20 m
 * grid in UTM 42N whose origin is (1 500 000, 3 000 000).
 */
import { execFileSync } from 'node:child_process';
import { crsFromEpsg } from '../../src/raster/grid/crs.ts';
import type { Grid } from '../../src/raster/grid/types.ts';

const RES = 20;
const crs = crsFromEpsg(32642);

/** The grid of `w` x `h` pixels at pixel offset (x0, y0). */
export const gridOf = ([x0, y0, w, h]: readonly number[]): Grid => ({ crs, transform: [RES, 0, 1500000 + x0 * RES, 0, -RES, 3000000 - y0 * RES], width: w, height: h });

/**
 * Runs `body` with `out` (the folder), `items` (as given), `rng` (numpy, seeded) and
 * `write(name, a, x0, y0, nodata, *options)`, which stores the uint8 array `a` as `<out>/<name>.tif`: a ZSTD COG
 * placed at pixel offset (x0, y0), with the GDAL creation options given.
 */
export function writeItemCogs(dir: string, items: object, body: string, seed = 0): void {
  const script = String.raw`
import sys, json, numpy as np
from osgeo import gdal
gdal.UseExceptions()
out, items = sys.argv[1], json.loads(sys.argv[2])
rng = np.random.default_rng(int(sys.argv[3]))
def write(name, a, x0, y0, nodata, *options):
    h, w = a.shape
    mem = gdal.GetDriverByName('MEM').Create('', w, h, 1, gdal.GDT_Byte)
    mem.SetGeoTransform((1500000 + x0 * ${RES}, ${RES}, 0, 3000000 - y0 * ${RES}, 0, -${RES}))
    mem.GetRasterBand(1).SetNoDataValue(nodata)
    mem.GetRasterBand(1).WriteArray(a)
    gdal.GetDriverByName('COG').CreateCopy(f'{out}/{name}.tif', mem, options=['COMPRESS=ZSTD', *options])
${body}`;
  execFileSync('/usr/bin/python3', ['-c', script, dir, JSON.stringify(items), String(seed)]);
}
