/**
 * Small GeoTIFFs written by GDAL (the oracle) in many layouts, plus GDAL's own readback of every band as raw
 * little-endian bytes, so tests can compare any window we read with what GDAL reads.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import type { CogReader } from '../../src/raster/cog-reader.ts';
import { TYPED_ARRAY, type RasterArray, type RasterDataType } from '../../src/raster/data-types.ts';
import { readWindow } from '../../src/raster/read-window.ts';

export interface Fixture {
  name: string;
  path: string;
  dataType: RasterDataType;
  width: number;
  height: number;
  bands: number;
  nodata: number | undefined;
  /** GDAL's readback of band b, row-major. */
  band(b: number): RasterArray;
}

// name, numpy dtype, bands, driver, creation options, nodata, kind of content
const SPECS: [string, string, number, string, string[], number | null][] = [
  ['u8_zstd', 'uint8', 1, 'COG', ['COMPRESS=ZSTD', 'BLOCKSIZE=512', 'SPARSE_OK=TRUE'], 255],
  ['u8_deflate_pred', 'uint8', 1, 'COG', ['COMPRESS=DEFLATE', 'BLOCKSIZE=512', 'PREDICTOR=2'], 255],
  ['u16_zstd_pred', 'uint16', 1, 'COG', ['COMPRESS=ZSTD', 'BLOCKSIZE=512', 'PREDICTOR=2'], 0],
  ['i16_deflate', 'int16', 1, 'COG', ['COMPRESS=DEFLATE', 'BLOCKSIZE=512'], -9999],
  ['i32_zstd_pred', 'int32', 1, 'COG', ['COMPRESS=ZSTD', 'BLOCKSIZE=512', 'PREDICTOR=2'], null],
  ['u32_deflate', 'uint32', 1, 'COG', ['COMPRESS=DEFLATE', 'BLOCKSIZE=512'], null],
  ['f32_zstd_fp', 'float32', 1, 'COG', ['COMPRESS=ZSTD', 'BLOCKSIZE=512', 'PREDICTOR=3'], -1],
  ['f64_deflate_fp', 'float64', 1, 'COG', ['COMPRESS=DEFLATE', 'BLOCKSIZE=512', 'PREDICTOR=3'], null],
  ['u8x3_zstd_chunky', 'uint8', 3, 'COG', ['COMPRESS=ZSTD', 'BLOCKSIZE=512'], null],
  ['i16x2_deflate_planar', 'int16', 2, 'GTiff', ['COMPRESS=DEFLATE', 'TILED=YES', 'BLOCKXSIZE=512', 'BLOCKYSIZE=512', 'INTERLEAVE=BAND', 'PREDICTOR=2'], null],
  ['u16x2_zstd_chunky_pred', 'uint16', 2, 'GTiff', ['COMPRESS=ZSTD', 'TILED=YES', 'BLOCKXSIZE=512', 'BLOCKYSIZE=512', 'INTERLEAVE=PIXEL', 'PREDICTOR=2'], null],
  ['u16_bigendian_pred', 'uint16', 1, 'GTiff', ['COMPRESS=DEFLATE', 'TILED=YES', 'BLOCKXSIZE=512', 'BLOCKYSIZE=512', 'PREDICTOR=2', 'ENDIANNESS=BIG'], null],
  ['f32_bigendian_fp', 'float32', 1, 'GTiff', ['COMPRESS=ZSTD', 'TILED=YES', 'BLOCKXSIZE=512', 'BLOCKYSIZE=512', 'PREDICTOR=3', 'ENDIANNESS=BIG'], null],
  ['i16_none', 'int16', 1, 'COG', ['COMPRESS=NONE', 'BLOCKSIZE=512'], null],
  ['u8_lzw', 'uint8', 1, 'COG', ['COMPRESS=LZW', 'BLOCKSIZE=512'], 255],
  ['u8_strips_deflate', 'uint8', 1, 'GTiff', ['COMPRESS=DEFLATE', 'BLOCKYSIZE=100'], null],
];

const SCRIPT = String.raw`
import sys, json, numpy as np
from osgeo import gdal
gdal.UseExceptions()
out, specs, W, H = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = np.random.default_rng(7)
yy, xx = np.mgrid[0:H, 0:W]
info = {}
for name, dtype, bands, driver, opts, nodata in specs:
    mem = gdal.GetDriverByName('MEM').Create('', W, H, bands, gdal.GetDataTypeByName({'uint8':'Byte','uint16':'UInt16','int16':'Int16','int32':'Int32','uint32':'UInt32','float32':'Float32','float64':'Float64'}[dtype]))
    mem.SetGeoTransform((1500000, 20, 0, 3000000, 0, -20))
    for b in range(bands):
        if dtype.startswith('float'):
            a = (np.sin(xx / 37.0 + b) * 1000 + yy * 0.25 + rng.random((H, W)) * 0.01).astype(dtype)
        else:
            info_t = np.iinfo(dtype)
            smooth = (xx * 3 + yy * 7 + b * 1000) % 200
            a = (smooth + rng.integers(0, 50, (H, W))).astype(np.int64)
            if info_t.min < 0: a = a - 120
            if dtype in ('int32', 'uint32'): a = a * 100000 + (1 if dtype == 'uint32' else -1) * rng.integers(0, 1000, (H, W))
            a = np.clip(a, info_t.min, info_t.max).astype(dtype)
        if nodata is not None:
            # a swath of nodata that covers whole blocks (top-right) and parts of others
            a[(xx - yy * 0.5) > W * 0.55] = nodata
        mem.GetRasterBand(b + 1).WriteArray(a)
        if nodata is not None: mem.GetRasterBand(b + 1).SetNoDataValue(nodata)
    path = f'{out}/{name}.tif'
    gdal.Translate(path, mem, format=driver, creationOptions=opts)
    ds = gdal.Open(path)
    for b in range(bands):
        ds.GetRasterBand(b + 1).ReadAsArray().astype(np.dtype(dtype).newbyteorder('<')).tofile(f'{out}/{name}.b{b}.raw')
    ds = None
print('ok')
`;

/** Writes the fixtures (all, or those named) into `dir` with GDAL and returns them by name. */
export function makeFixtures(dir: string, width = 1300, height = 1100, only?: string[]): Map<string, Fixture> {
  const chosen = SPECS.filter(([n]) => !only || only.includes(n));
  const specs = chosen.map(([n, t, b, d, o, nd]) => [n, t, b, d, o, nd]);
  execFileSync('/usr/bin/python3', ['-c', SCRIPT, dir, JSON.stringify(specs), String(width), String(height)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const map = new Map<string, Fixture>();
  for (const [name, dataType, bands, , , nodata] of chosen) {
    const dt = dataType as RasterDataType;
    const cache = new Map<number, RasterArray>();
    map.set(name, {
      name,
      path: join(dir, `${name}.tif`),
      dataType: dt,
      width,
      height,
      bands,
      nodata: nodata ?? undefined,
      band(b) {
        let a = cache.get(b);
        if (!a) {
          const bytes = readFileSync(join(dir, `${name}.b${b}.raw`));
          a = new TYPED_ARRAY[dt](bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
          cache.set(b, a);
        }
        return a;
      },
    });
  }
  return map;
}

/** The expected window: GDAL's pixels inside the image, `fill` outside. */
export function expectedWindow(f: Fixture, b: number, x0: number, y0: number, w: number, h: number, fill: number): RasterArray {
  const src = f.band(b) as Uint8Array;
  const out = new TYPED_ARRAY[f.dataType](w * h).fill(fill) as Uint8Array;
  const cx0 = Math.max(0, x0);
  const cx1 = Math.min(f.width, x0 + w);
  for (let y = Math.max(0, y0); y < Math.min(f.height, y0 + h) && cx0 < cx1; y++) {
    out.set(src.subarray(y * f.width + cx0, y * f.width + cx1), (y - y0) * w + (cx0 - x0));
  }
  return out;
}

/** Index of the first differing element, or -1 (byte comparison first: fast on big arrays). */
export function firstDifference(a: RasterArray, b: RasterArray): number {
  const ab = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const bb = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (a.length === b.length && ab.equals(bb)) return -1;
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** Deterministic windows: random ones plus block-edge, image-edge and outside cases. */
export function testWindows(width: number, height: number, n: number, seed = 1): { x0: number; y0: number; width: number; height: number }[] {
  let s = seed;
  const rnd = (k: number): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return Math.floor((s / 2147483648) * k);
  };
  const wins = [
    { x0: 0, y0: 0, width, height },
    { x0: 500, y0: 500, width: 30, height: 30 },
    { x0: 511, y0: 511, width: 2, height: 2 },
    { x0: width - 10, y0: height - 10, width: 40, height: 25 },
    { x0: -20, y0: -5, width: 50, height: 600 },
    { x0: width + 5, y0: 0, width: 10, height: 10 },
    { x0: 1000, y0: 1023, width: 300, height: 3 },
  ];
  for (let i = 0; i < n; i++) {
    wins.push({ x0: rnd(width + 200) - 100, y0: rnd(height + 200) - 100, width: 1 + rnd(700), height: 1 + rnd(700) });
  }
  return wins;
}

/** Reads windows of every band and compares them with GDAL's readback; returns how many pixels were compared. */
export async function compareWindows(reader: CogReader, href: string, f: Fixture, windows = 12): Promise<number> {
  const cog = await reader.open(href);
  assert.equal(cog.info.width, f.width);
  assert.equal(cog.info.height, f.height);
  assert.equal(cog.info.samplesPerPixel, f.bands);
  assert.equal(cog.info.dataType, f.dataType);
  let n = 0;
  for (const win of testWindows(f.width, f.height, windows)) {
    for (let b = 0; b < f.bands; b++) {
      const out = new TYPED_ARRAY[f.dataType](win.width * win.height);
      const fill = f.dataType === 'uint8' ? 254 : 77;
      await readWindow(cog, win, b, out, undefined, { fill });
      const want = expectedWindow(f, b, win.x0, win.y0, win.width, win.height, fill);
      const i = firstDifference(out, want);
      assert.equal(i, -1, `${f.name} band ${b} window ${JSON.stringify(win)}: pixel ${i} is ${out[i]}, GDAL says ${want[i]}`);
      n += out.length;
    }
  }
  return n;
}
