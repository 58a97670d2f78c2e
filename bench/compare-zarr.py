"""Pixel comparison of a job's Zarr result with the arrays bench/dask-flood.py wrote.

Usage: compare-zarr.py ZARR_PATH NPY_DIR
Prints one JSON line: per variable the shapes, the number of differing pixels, and the first few differences
as [row, col, ours, dask].
"""
import json
import os
import sys

import numpy as np
import zarr

zarr_path, npy_dir = sys.argv[1:3]
store = zarr.open_consolidated(zarr_path, mode="r")
report = {}
for name in ("ensemble_flood_extent", "ensemble_likelihood"):
    theirs = np.load(os.path.join(npy_dir, f"{name}.npy"))
    if name not in store:
        report[name] = {"missing": "zarr"}
        continue
    ours = store[name][:]
    entry = {"shape": list(ours.shape), "daskShape": list(theirs.shape), "dtype": str(ours.dtype)}
    if ours.shape == theirs.shape:
        diff = ours != theirs
        entry["differing"] = int(diff.sum())
        entry["examples"] = [[int(r), int(c), int(ours[r, c]), int(theirs[r, c])] for r, c in np.argwhere(diff)[:5]]
    report[name] = entry
print(json.dumps(report))
