/**
 * Independent readers of the written results: Debian's xarray (+ zarr, scipy, netCDF4) and GDAL (python3-gdal),
 * each run once per file with everything the tests compare returned as JSON (samples as base64 raw bytes).
 */
import { execFileSync } from 'node:child_process';

function python(script: string, args: string[], env: Record<string, string> = {}): any {
  const out = execFileSync('/usr/bin/python3', ['-c', script, ...args], {
    encoding: 'utf8',
    maxBuffer: 512 << 20,
    env: { ...process.env, ...env },
  });
  return JSON.parse(out);
}

const XARRAY = `
import sys, json, base64, warnings
warnings.simplefilter('ignore')
import numpy as np, xarray as xr
kind, path = sys.argv[1], sys.argv[2]
if kind == 'zarr':
    ds = xr.open_zarr(path, consolidated=True, mask_and_scale=False)
else:
    ds = xr.open_dataset(path, engine=kind, mask_and_scale=False)
def plain(v):
    v = v.item() if hasattr(v, 'item') else v
    if isinstance(v, float) and v != v:
        return 'NaN'
    return v if isinstance(v, (str, int, float, dict, list)) else str(v)
def attrs(a):
    return {k: plain(v) for k, v in a.items()}
out = {'data_vars': sorted(ds.data_vars), 'coords': sorted(ds.coords), 'attrs': attrs(ds.attrs), 'vars': {}}
for name in ds.variables:
    v = ds[name]
    entry = {'dims': list(v.dims), 'dtype': str(v.dtype), 'attrs': attrs(v.attrs),
             'fill': (lambda f: None if f is None else 'NaN' if np.isnan(f) else float(f))(v.encoding.get('_FillValue', v.attrs.get('_FillValue')))}
    if name == 't' and v.dtype.kind == 'M':
        entry['iso'] = [str(t)[:19] for t in v.values.astype('datetime64[s]')]
    elif v.ndim >= 1:
        entry['data'] = base64.b64encode(np.ascontiguousarray(v.values).tobytes()).decode()
    out['vars'][name] = entry
# CF-decoded view: how users see the data (nodata masked as NaN, unsigned restored).
dec = xr.open_zarr(path, consolidated=True) if kind == 'zarr' else xr.open_dataset(path, engine=kind)
out['decoded'] = {n: {'dtype': str(dec[n].dtype), 'nan': int(np.isnan(dec[n].values).sum()) if dec[n].dtype.kind == 'f' else 0} for n in dec.data_vars if dec[n].ndim >= 2}
print(json.dumps(out))
`;

export interface XarrayVar {
  dims: string[];
  dtype: string;
  attrs: Record<string, any>;
  /** 'NaN' for NaN (JSON has no NaN). */
  fill: number | 'NaN' | null;
  data?: string;
  iso?: string[];
}

export interface XarrayView {
  data_vars: string[];
  coords: string[];
  attrs: Record<string, any>;
  vars: Record<string, XarrayVar>;
  decoded: Record<string, { dtype: string; nan: number }>;
}

/** Opens a Zarr store (`kind` zarr, consolidated) or a netCDF file (`kind` scipy or netcdf4) with xarray. */
export const xarrayOpen = (kind: 'zarr' | 'scipy' | 'netcdf4', path: string): XarrayView => python(XARRAY, [kind, path]);

const GDAL = `
import sys, json, base64
from osgeo import gdal, osr
gdal.UseExceptions()
name, wkt = sys.argv[1], sys.argv[2]
ds = gdal.Open(name)
srs = ds.GetSpatialRef()
expected = osr.SpatialReference()
expected.SetFromUserInput(wkt)
bands = []
for i in range(1, ds.RasterCount + 1):
    b = ds.GetRasterBand(i)
    bands.append({'nodata': b.GetNoDataValue(), 'type': gdal.GetDataTypeName(b.DataType),
                  'data': base64.b64encode(b.ReadAsArray().tobytes()).decode()})
print(json.dumps({'size': [ds.RasterXSize, ds.RasterYSize], 'geotransform': list(ds.GetGeoTransform()),
                  'same_crs': bool(srs is not None and srs.IsSame(expected, ['IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES'])), 'has_crs': srs is not None,
                  'subdatasets': [s[0] for s in ds.GetSubDatasets()], 'bands': bands}))
`;

export interface GdalView {
  size: [number, number];
  geotransform: number[];
  same_crs: boolean;
  has_crs: boolean;
  subdatasets: string[];
  bands: { nodata: number | null; type: string; data: string }[];
}

/** Opens a GDAL dataset name (e.g. `ZARR:"dir":/var`, `NETCDF:"file":var`, `/vsis3/...`) and compares its CRS to `wkt`. */
export const gdalOpen = (name: string, wkt: string, env: Record<string, string> = {}): GdalView => python(GDAL, [name, wkt], env);

const IMAGE = `
import sys, json, base64
from PIL import Image
im = Image.open(sys.argv[1])
print(json.dumps({'mode': im.mode, 'size': list(im.size), 'data': base64.b64encode(im.convert('RGBA').tobytes()).decode()}))
`;

/** Decodes an image with Pillow: mode, size and RGBA bytes. */
export function pillowDecode(path: string): { mode: string; size: [number, number]; rgba: Buffer } {
  const r = python(IMAGE, [path]);
  return { mode: r.mode, size: r.size, rgba: Buffer.from(r.data, 'base64') };
}

const CMAP = `
import sys, json, base64
import numpy as np
from matplotlib import colormaps
print(json.dumps({n: base64.b64encode(colormaps[n](np.linspace(0, 1, 256), bytes=True)[:, :3].tobytes()).decode() for n in sys.argv[1:]}))
`;

/** matplotlib's 256-entry tables (RGB bytes) of the named colour maps. */
export function matplotlibTables(names: string[]): Record<string, Buffer> {
  const r = python(CMAP, names);
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Buffer.from(v as string, 'base64')]));
}

/** GDAL environment for /vsis3/ against the local Swift s3api server. */
export function gdalS3Env(endpoint: string, accessKeyId: string, secretAccessKey: string): Record<string, string> {
  const u = new URL(endpoint);
  return {
    AWS_S3_ENDPOINT: u.host,
    AWS_HTTPS: u.protocol === 'https:' ? 'YES' : 'NO',
    AWS_VIRTUAL_HOSTING: 'FALSE',
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_REGION: 'us-east-1',
    GDAL_DISABLE_READDIR_ON_OPEN: 'EMPTY_DIR',
  };
}
