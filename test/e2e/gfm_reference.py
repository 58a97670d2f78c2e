"""Independent reference for the GFM flood workflow: plain GDAL reads and numpy, no code shared with the backend.

Usage: gfm_reference.py COLLECTION_DIR WEST SOUTH EAST NORTH START END ZARR_PATH
Prints a JSON report comparing the reference with the Zarr store the backend wrote.
"""
import glob
import json
import math
import os
import sys

import numpy as np
import xarray as xr
from osgeo import gdal, osr

coll, west, south, east, north, start, end, zarr_path = sys.argv[1:9]
west, south, east, north = map(float, (west, south, east, north))
RES = 20.0

items = [json.load(open(p)) for p in glob.glob(os.path.join(coll, "items", "*.json"))]
items = [i for i in items if start <= i["properties"]["datetime"][:10] < end]
wkt = items[0]["properties"]["proj:wkt2"]

# Output grid: the bbox corners in the native CRS, snapped outward to multiples of 20 m (odc-stac rule).
src = osr.SpatialReference(); src.ImportFromEPSG(4326); src.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
dst = osr.SpatialReference(); dst.ImportFromWkt(wkt); dst.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
ct = osr.CoordinateTransformation(src, dst)
pts = [ct.TransformPoint(x, y)[:2] for x, y in ((west, south), (east, south), (west, north), (east, north))]
x0 = math.floor(min(p[0] for p in pts) / RES) * RES
x1 = math.ceil(max(p[0] for p in pts) / RES) * RES
y0 = math.floor(min(p[1] for p in pts) / RES) * RES
y1 = math.ceil(max(p[1] for p in pts) / RES) * RES
W, H = int(round((x1 - x0) / RES)), int(round((y1 - y0) / RES))

steps = {}
for it in items:
    steps.setdefault(it["properties"]["datetime"], []).append(it)


def mosaic(step_items, band):
    out = np.full((H, W), 255, dtype=np.uint8)
    for it in sorted(step_items, key=lambda i: i["id"]):
        href = os.path.normpath(os.path.join(coll, "items", it["assets"][band]["href"]))
        ds = gdal.Open(href)
        gt = ds.GetGeoTransform()
        col0 = int(round((x0 - gt[0]) / RES))
        row0 = int(round((gt[3] - y1) / RES))
        arr = ds.GetRasterBand(1).ReadAsArray()
        for r in range(H):
            sr = row0 + r
            if sr < 0 or sr >= arr.shape[0]:
                continue
            c_lo, c_hi = max(0, -col0), min(W, arr.shape[1] - col0)
            if c_lo >= c_hi:
                continue
            seg = arr[sr, col0 + c_lo:col0 + c_hi]
            dst_row = out[r, c_lo:c_hi]
            take = (dst_row == 255) & (seg != 255)
            dst_row[take] = seg[take]
    return out


flood_sum = np.zeros((H, W), dtype=np.int64)
lik_sum = np.zeros((H, W), dtype=np.float64)
lik_count = np.zeros((H, W), dtype=np.int64)
for dt in sorted(steps):
    f = mosaic(steps[dt], "ensemble_flood_extent")
    ok = (f != 255) & (f != 0)
    flood_sum += np.where(ok, f, 0)
    l = mosaic(steps[dt], "ensemble_likelihood")
    ok = (l != 255) & (l != 0)
    lik_sum += np.where(ok, l, 0)
    lik_count += ok
flood = (flood_sum > 0).astype(np.uint8)
with np.errstate(invalid="ignore", divide="ignore"):
    lik = np.where(lik_count > 0, lik_sum / np.maximum(lik_count, 1), 0).astype(np.uint8)

ds = xr.open_zarr(zarr_path, consolidated=True, mask_and_scale=False)
report = {"reference_shape": [H, W], "reference_x0": x0, "reference_y1": y1}
for name, ref in (("ensemble_flood_extent", flood), ("ensemble_likelihood", lik)):
    if name not in ds:
        report[name] = {"present": False}
        continue
    got = ds[name].values
    entry = {"present": True, "shape": list(got.shape), "dtype": str(got.dtype)}
    if got.shape == ref.shape:
        diff = got != ref
        entry["mismatches"] = int(diff.sum())
        entry["nonzero_reference"] = int((ref != 0).sum())
        if diff.any():
            r, c = np.argwhere(diff)[0]
            entry["first_mismatch"] = [int(r), int(c), int(got[r, c]), int(ref[r, c])]
    report[name] = entry
report["x_first"] = float(ds["x"].values[0])
report["y_first"] = float(ds["y"].values[0])
report["grid_mapping"] = ds["ensemble_flood_extent"].attrs.get("grid_mapping") if "ensemble_flood_extent" in ds else None
report["crs_wkt_has_aeqd"] = "Azimuthal" in str(ds["spatial_ref"].attrs.get("crs_wkt", "")) if "spatial_ref" in ds else False
print(json.dumps(report))
