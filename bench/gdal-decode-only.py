"""GDAL's decode-only time for a flood job's inputs: read every needed block of every needed asset once, in one
process and one thread, with ReadRaster on the block's window (clipped to the image) into a reused buffer.
Input on stdin: JSON [{"href", "blocks": [[col, row], ...]}]; output: one JSON line with the times of the read loop
(dataset opening excluded) and the number of blocks and pixels."""
import json
import sys
import time

from osgeo import gdal

gdal.UseExceptions()
gdal.SetConfigOption("GDAL_NUM_THREADS", "1")
gdal.SetCacheMax(64 << 20)

needed = json.load(sys.stdin)
datasets = [(gdal.Open(a["href"]), a["blocks"]) for a in needed]
buf = bytearray(0)
blocks = pixels = 0
cpu0, wall0 = time.process_time(), time.perf_counter()
for ds, todo in datasets:
    band = ds.GetRasterBand(1)
    tw, th = band.GetBlockSize()
    bpp = gdal.GetDataTypeSize(band.DataType) // 8
    if len(buf) < tw * th * bpp:
        buf = bytearray(tw * th * bpp)
    for col, row in todo:
        x, y = col * tw, row * th
        w, h = min(tw, ds.RasterXSize - x), min(th, ds.RasterYSize - y)
        band.ReadRaster(x, y, w, h, buf_obj=memoryview(buf)[: w * h * bpp])
        blocks += 1
        pixels += w * h
cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
print(json.dumps({"blocks": blocks, "pixels": pixels, "cpuMs": cpu * 1000, "wallMs": wall * 1000}))
