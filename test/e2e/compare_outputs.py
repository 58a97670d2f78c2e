"""Reads the same result written as Zarr, GeoTIFF and netCDF with GDAL and xarray and reports whether they agree.

Usage: compare_outputs.py ZARR_DIR TIF_FLOOD TIF_LIKELIHOOD NETCDF_FILE OVERVIEW_PNG
"""
import json
import sys

import numpy as np
import xarray as xr
from osgeo import gdal

zarr_dir, tif_flood, tif_lik, nc_file, png = sys.argv[1:6]
z = xr.open_zarr(zarr_dir, consolidated=True, mask_and_scale=False)
report = {}
for name, tif in (("ensemble_flood_extent", tif_flood), ("ensemble_likelihood", tif_lik)):
    ref = z[name].values
    ds = gdal.Open(tif)
    arr = ds.GetRasterBand(1).ReadAsArray()
    srs = ds.GetSpatialRef()
    report[f"tif_{name}"] = {
        "equal": bool(arr.shape == ref.shape and (arr == ref).all()),
        "geotransform": list(ds.GetGeoTransform()),
        "aeqd": bool(srs is not None and "Azimuthal" in srs.ExportToWkt()),
        "overviews": ds.GetRasterBand(1).GetOverviewCount(),
    }
    nc = xr.open_dataset(nc_file, mask_and_scale=False)
    report[f"nc_{name}"] = {"equal": bool(nc[name].shape == ref.shape and (nc[name].values == ref).all())}
    g = gdal.Open(f'NETCDF:"{nc_file}":{name}')
    report[f"nc_gdal_{name}"] = {
        "equal": bool((g.GetRasterBand(1).ReadAsArray() == ref).all()),
        "aeqd": "Azimuthal" in (g.GetProjection() or ""),
    }
report["zarr_geotransform"] = [float(z["x"].values[0]) - 10, 20.0, 0.0, float(z["y"].values[0]) + 10, 0.0, -20.0]
p = gdal.Open(png)
palette = p.RasterCount == 1 and p.GetRasterBand(1).GetColorTable() is not None
if palette:
    # a palette PNG: GDAL expands its colour table (with the transparency entry) to RGBA
    p = gdal.Translate("/vsimem/quicklook.tif", p, rgbExpand="rgba")
bands = [p.GetRasterBand(i + 1).ReadAsArray() for i in range(p.RasterCount)]
rgba = np.stack(bands)
report["png"] = {
    "palette": palette,
    "bands": p.RasterCount,
    "size": [p.RasterXSize, p.RasterYSize],
    "distinct_colours": int(len(np.unique(rgba[:3].reshape(3, -1), axis=1).T)),
    "opaque": int((rgba[3] > 0).sum()) if p.RasterCount == 4 else -1,
}
print(json.dumps(report))
