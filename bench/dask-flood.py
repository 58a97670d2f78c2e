"""The GFM flood workflow as Dask users run it today (EODC tutorial: xarray over dask arrays, 1000-px chunks, the
threaded scheduler), on a static STAC collection, for the bench's side-by-side with our job.

Usage: dask-flood.py COLLECTION_DIR FROM TO GRID_JSON OUT_DIR
  FROM, TO   ISO dates or instants, TO exclusive (openEO temporal_extent)
  GRID_JSON  {"shape": [rows, cols], "transform": [a, b, c, d, e, f]}: the output grid (the job result's proj:shape
             and proj:transform), in the items' CRS
Writes OUT_DIR/ensemble_flood_extent.npy and OUT_DIR/ensemble_likelihood.npy (uint8) and prints one JSON line:
wallMs and cpuMs from opening the items to both results in memory (writing the .npy files is not timed), the
number of time steps, items and dask tasks.

The rules (the tutorial's): items with the same datetime form one time step, mosaicked first valid (non-nodata)
item first in id order; per band 255 and 0 are masked with .where (float64); flood = (sum over time > 0) as uint8;
likelihood = mean over time truncated by astype(uint8); a pixel without an unmasked value is 0 in both.
"""
import glob
import json
import os
import sys
import time
from datetime import datetime, timezone

import dask
import numpy as np
import pandas as pd
import rioxarray
import xarray as xr

NODATA = 255
CHUNKS = {"x": 1000, "y": 1000}
BANDS = ("ensemble_flood_extent", "ensemble_likelihood")


def instant(s):
    """An ISO date or date-time as an aware UTC datetime."""
    d = datetime.fromisoformat(s.replace("Z", "+00:00"))
    return d if d.tzinfo else d.replace(tzinfo=timezone.utc)


coll, start, end, grid_json, out_dir = sys.argv[1:6]
grid = json.loads(grid_json)
rows, cols = grid["shape"]
a, _, c, _, e, f = grid["transform"][:6]
# pixel centres, as rioxarray labels the items' pixels
xs = c + a * (np.arange(cols) + 0.5)
ys = f + e * (np.arange(rows) + 0.5)
bounds = (c, f + e * rows, c + a * cols, f)  # west, south, east, north

cpu0, wall0 = time.process_time(), time.perf_counter()

# the items a STAC search over the time range and the grid's bounds would return
items = []
for p in glob.glob(os.path.join(coll, "items", "*.json")):
    with open(p) as fh:
        it = json.load(fh)
    pr = it["properties"]
    if not instant(start) <= instant(pr["datetime"]) < instant(end):
        continue
    ta, _, tc, _, te, tf = pr["proj:transform"][:6]
    h, w = pr["proj:shape"]
    if tc >= bounds[2] or tc + ta * w <= bounds[0] or tf <= bounds[1] or tf + te * h >= bounds[3]:
        continue
    it["_dir"] = os.path.dirname(p)
    items.append(it)
if not items:
    sys.exit(f"no item of {coll} in [{start}, {end}) intersects the output grid")
steps = {}
for it in sorted(items, key=lambda i: i["id"]):
    steps.setdefault(it["properties"]["datetime"], []).append(it)
times = sorted(steps, key=instant)
crs = rioxarray.open_rasterio(os.path.normpath(os.path.join(items[0]["_dir"], items[0]["assets"][BANDS[0]]["href"]))).rio.crs


def grid_aligned(n0, n):
    """Chunk sizes along an axis of n pixels starting n0 pixels into the grid, cut on the grid's 1000-px lattice
    (so every output chunk reads only its own window, as odc-stac's chunked load does)."""
    first = min(n, -n0 % 1000 or 1000)
    rest = n - first
    return (first,) + (1000,) * (rest // 1000) + ((rest % 1000,) if rest % 1000 else ())


def open_band(it, band):
    href = os.path.normpath(os.path.join(it["_dir"], it["assets"][band]["href"]))
    # lazy: nothing is read until a dask task asks for its window (cache=False: nor kept after); lock=False gives
    # each thread its own file handle
    da = rioxarray.open_rasterio(href, lock=False, cache=False).squeeze("band", drop=True)
    # the Equi7 tiles share the grid's CRS and 20 m lattice, so placing a tile on the grid is a crop and a pad
    # by whole pixels (no resampling); pixels the tile does not cover are nodata
    ta, _, tc, _, te, tf = da.rio.transform()[:6]
    assert (ta, te) == (a, e) and da.rio.crs == crs, f"{href}: not on the output grid's CRS and resolution"
    dc, dr = round((tc - c) / a), round((tf - f) / e)  # the tile's offset in grid pixels
    c0, c1 = max(0, -dc), min(da.sizes["x"], cols - dc)
    r0, r1 = max(0, -dr), min(da.sizes["y"], rows - dr)
    da = da.isel(x=slice(c0, c1), y=slice(r0, r1))
    da = da.chunk({"y": grid_aligned(dr + r0, r1 - r0), "x": grid_aligned(dc + c0, c1 - c0)})
    da = da.pad(y=(dr + r0, rows - (dr + r1)), x=(dc + c0, cols - (dc + c1)), constant_values=NODATA)
    return da.assign_coords(x=xs, y=ys).chunk(CHUNKS)


def time_step(step_items, band):
    mosaic = None
    for it in step_items:  # id order: the first valid item wins
        tile = open_band(it, band)
        mosaic = tile if mosaic is None else mosaic.where(mosaic != NODATA, tile)
    return mosaic


results = {}
for band in BANDS:
    cube = xr.concat([time_step(steps[t], band) for t in times], dim=pd.Index(times, name="time"))
    masked = cube.where((cube != NODATA) & (cube != 0))  # float64, NaN where masked
    if band == "ensemble_flood_extent":
        results[band] = (masked.sum("time") > 0).astype(np.uint8)
    else:
        results[band] = masked.mean("time").fillna(0).astype(np.uint8)

tasks = sum(len(r.data.__dask_graph__()) for r in results.values())
with dask.config.set(scheduler="threads", num_workers=2):
    computed = dask.compute(*results.values())
cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0

os.makedirs(out_dir, exist_ok=True)
for band, arr in zip(results, computed):
    assert arr.shape == (rows, cols), (band, arr.shape)
    np.save(os.path.join(out_dir, f"{band}.npy"), np.asarray(arr))
print(json.dumps({"wallMs": wall * 1000, "cpuMs": cpu * 1000, "steps": len(times), "items": len(items), "tasks": tasks}))
