/** GDAL as the reference reader for the writer's tests (gdalinfo, the COG validator, python3-gdal). */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const VALIDATOR_CANDIDATES = [
  '/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_cloud_optimized_geotiff.py',
  '/usr/share/doc/python3-gdal/examples/validate_cloud_optimized_geotiff.py',
];

export const validatorPath = (): string => {
  const found = VALIDATOR_CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error('validate_cloud_optimized_geotiff.py not found (python3-gdal missing?)');
  return found;
};

// gdalinfo -json output is loosely typed by nature.
export type GdalInfo = any;

export const gdalInfo = (path: string): GdalInfo =>
  JSON.parse(execFileSync('gdalinfo', ['-json', '-proj4', path], { encoding: 'utf8' }));

/** Runs GDAL's validator; returns its exit status and output (errors and warnings). */
export function validateCog(path: string): { ok: boolean; output: string } {
  try {
    const output = execFileSync('/usr/bin/python3', [validatorPath(), '--full-check=yes', path], { encoding: 'utf8' });
    return { ok: true, output };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

const READ_SCRIPT = `
import sys
from osgeo import gdal
gdal.UseExceptions()
path, band, ovr, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
ds = gdal.Open(path)  # keep the dataset referenced: its bands die with it
b = ds.GetRasterBand(band)
if ovr >= 0:
    b = b.GetOverview(ovr)
open(out, 'wb').write(b.ReadAsArray().tobytes())
`;

/** Raw little-endian samples of one band (1-based) as GDAL reads them; `overview` -1 = full resolution. */
export function gdalReadBand(path: string, band: number, overview = -1): Buffer {
  const out = `${path}.band${band}.ovr${overview}.raw`;
  execFileSync('/usr/bin/python3', ['-c', READ_SCRIPT, path, String(band), String(overview), out]);
  const data = readFileSync(out);
  rmSync(out);
  return data;
}
