/**
 * COG read throughput: readWindow over 1024 x 1024 windows of GFM-like COGs (uint8, 512-px blocks, nodata 255,
 * ~70 % nodata, ZSTD and DEFLATE), against the decode-only bound (the same blocks' bytes already in memory, just
 * decompressed). Run: `npx tsx bench/cog-read.ts`; bench/run.ts calls runCogReadBench().
 * The data is generated once with GDAL into a folder under the OS temp dir.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createBlockDecoder } from '../src/raster/block-decoder.ts';
import { CogReader } from '../src/raster/cog-reader.ts';
import { readWindow } from '../src/raster/read-window.ts';

export interface CogReadBenchOptions {
  /** Where the COGs are (generated if missing). Default `<tmp>/openeo-bench-cogs`. */
  dir?: string;
  files?: number;
  /** Image side in pixels. Default 6000. */
  size?: number;
  window?: number;
  /** Passes per measurement; the best is reported (the machine is shared). Default 5. */
  passes?: number;
  /** Also time geotiff.js readRasters over the same windows. Default false. */
  geotiffBaseline?: boolean;
  log?: (line: string) => void;
}

export interface CogReadFigures {
  /** Window pixels inside the images, per pass. */
  pixels: number;
  blocks: number;
  /** readWindow, wall clock (one thread of JS). */
  readMPixPerS: number;
  /** readWindow per CPU-second of the whole process (includes libuv file reads and GC). */
  readMPixPerCpuS: number;
  /** Decompression only of the same blocks, already in memory, per CPU-second. */
  decodeOnlyMPixPerS: number;
  /** readMPixPerCpuS / decodeOnlyMPixPerS: 1 would mean reading costs nothing beyond decompression. */
  ratio: number;
  geotiffMPixPerS?: number;
}

export interface CogReadBenchResult {
  zstd: CogReadFigures;
  deflate: CogReadFigures;
}

const GENERATOR = String.raw`
import sys, numpy as np
from osgeo import gdal
gdal.UseExceptions()
out, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(42)
def smooth(cells):
    lo = rng.random((cells, cells)).astype(np.float32)
    rep = -(-size // cells)
    return np.kron(lo, np.ones((rep, rep), np.float32))[:size, :size]
yy, xx = np.mgrid[0:size, 0:size]
for i in range(n):
    # one diagonal acquisition swath per file (~70 % nodata), clumped flood patches with ragged edges
    swath = np.abs((xx - yy * 0.3) - (i * 0.37 % 1.0) * size) < size * 0.15
    flood = (smooth(60) + 0.3 * smooth(600) + 0.15 * rng.random((size, size), dtype=np.float32)) > 1.05
    if i % 2 == 0:
        a = np.where(flood, 1, 0).astype(np.uint8)   # like ensemble_flood_extent
    else:                                            # like ensemble_likelihood
        a = np.where(flood, 50 + rng.integers(0, 51, (size, size), dtype=np.uint8),
                     np.where(rng.random((size, size)) < 0.05, rng.integers(1, 30, (size, size), dtype=np.uint8), 0)).astype(np.uint8)
    a[~swath] = 255
    mem = gdal.GetDriverByName('MEM').Create('', size, size, 1, gdal.GDT_Byte)
    mem.SetGeoTransform((1500000 + i * size * 20, 20, 0, 3000000, 0, -20))
    b = mem.GetRasterBand(1); b.SetNoDataValue(255); b.WriteArray(a)
    for comp in ('ZSTD', 'DEFLATE'):
        gdal.Translate(f'{out}/gfm_{i}_{comp.lower()}.tif', mem, format='COG',
                       creationOptions=[f'COMPRESS={comp}', 'BLOCKSIZE=512', 'OVERVIEWS=NONE'])
`;

function ensureData(dir: string, files: number, size: number, log: (s: string) => void): void {
  const want = (c: string, i: number): string => join(dir, `gfm_${i}_${c}.tif`);
  const missing = Array.from({ length: files }, (_, i) => i).some((i) => !existsSync(want('zstd', i)) || !existsSync(want('deflate', i)));
  if (!missing) return;
  mkdirSync(dir, { recursive: true });
  log(`generating ${files} x 2 COGs of ${size} x ${size} px in ${dir} (GDAL) ...`);
  execFileSync('/usr/bin/python3', ['-c', GENERATOR, dir, String(files), String(size)], { stdio: 'inherit' });
}

const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
};

function windowsOf(size: number, w: number): { x0: number; y0: number; width: number; height: number }[] {
  const out = [];
  for (let y0 = 0; y0 < size; y0 += w) for (let x0 = 0; x0 < size; x0 += w) out.push({ x0, y0, width: w, height: w });
  return out;
}

async function measure(paths: string[], opts: Required<Omit<CogReadBenchOptions, 'log' | 'dir'>>): Promise<CogReadFigures> {
  const wins = windowsOf(opts.size, opts.window);
  const out = new Uint8Array(opts.window * opts.window);
  let pixels = 0;
  for (const w of wins) pixels += Math.min(w.width, opts.size - w.x0) * Math.min(w.height, opts.size - w.y0);
  pixels *= paths.length;

  // the same blocks, bytes already in memory, for the decompression-only bound
  const decoder = await createBlockDecoder();
  const jobs: { bytes: Uint8Array; compression: number; decodedBytes: number }[] = [];
  for (const path of paths) {
    const info = (await new CogReader().open(path)).info;
    const file = readFileSync(path);
    info.tileOffsets.forEach((o, i) => {
      const n = info.tileByteCounts[i];
      if (n > 0) jobs.push({ bytes: file.subarray(o, o + n), compression: info.compression, decodedBytes: info.tileWidth * info.tileHeight });
    });
  }
  const params = { tileWidth: 512, tileHeight: 512, bitsPerSample: 8, samplesPerPixel: 1, planarConfiguration: 1 };

  // passes alternate between the two measurements so that load from other processes hits both alike
  let bestWall = Infinity;
  let bestCpu = Infinity;
  let bestDecode = Infinity;
  for (let p = 0; p < opts.passes; p++) {
    // a fresh reader per pass: header parsing counts, and nothing is remembered between passes
    const reader = new CogReader();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const path of paths) {
      const cog = await reader.open(path);
      for (const w of wins) await readWindow(cog, w, 0, out);
    }
    bestWall = Math.min(bestWall, (performance.now() - t0) / 1000);
    bestCpu = Math.min(bestCpu, cpuSeconds(cpu0));

    const cpu1 = process.cpuUsage();
    for (const j of jobs) decoder.decode(j.bytes, { ...params, compression: j.compression, decodedBytes: j.decodedBytes });
    bestDecode = Math.min(bestDecode, cpuSeconds(cpu1));
  }
  // decode-only counts whole blocks (edge blocks include their padding): what was decompressed
  const decodedPixels = jobs.length * 512 * 512;

  const fig: CogReadFigures = {
    pixels,
    blocks: jobs.length,
    readMPixPerS: pixels / bestWall / 1e6,
    readMPixPerCpuS: pixels / bestCpu / 1e6,
    decodeOnlyMPixPerS: decodedPixels / bestDecode / 1e6,
    ratio: 0,
  };
  fig.ratio = fig.readMPixPerCpuS / fig.decodeOnlyMPixPerS;

  if (opts.geotiffBaseline) {
    const { fromFile } = await import('geotiff');
    const t0 = performance.now();
    for (const path of paths) {
      const tiff = await fromFile(path);
      const image = await tiff.getImage();
      for (const w of wins) {
        await image.readRasters({ window: [w.x0, w.y0, Math.min(opts.size, w.x0 + w.width), Math.min(opts.size, w.y0 + w.height)], samples: [0] });
      }
      await tiff.close();
    }
    fig.geotiffMPixPerS = pixels / ((performance.now() - t0) / 1000) / 1e6;
  }
  return fig;
}

export async function runCogReadBench(options: CogReadBenchOptions = {}): Promise<CogReadBenchResult> {
  const log = options.log ?? ((s: string) => console.log(s));
  const dir = options.dir ?? join(tmpdir(), 'openeo-bench-cogs');
  const opts = {
    files: options.files ?? 4,
    size: options.size ?? 6000,
    window: options.window ?? 1024,
    passes: options.passes ?? 5,
    geotiffBaseline: options.geotiffBaseline ?? false,
  };
  ensureData(dir, opts.files, opts.size, log);
  const paths = (c: string): string[] => Array.from({ length: opts.files }, (_, i) => join(dir, `gfm_${i}_${c}.tif`));
  const result = { zstd: await measure(paths('zstd'), opts), deflate: await measure(paths('deflate'), opts) };
  for (const [name, f] of Object.entries(result)) {
    log(
      `cog-read ${name.padEnd(7)} readWindow ${f.readMPixPerS.toFixed(0)} MPix/s wall, ${f.readMPixPerCpuS.toFixed(0)} MPix/s per core` +
        ` | decode-only ${f.decodeOnlyMPixPerS.toFixed(0)} MPix/s | ratio ${f.ratio.toFixed(2)}` +
        (f.geotiffMPixPerS ? ` | geotiff.js readRasters ${f.geotiffMPixPerS.toFixed(0)} MPix/s` : '') +
        ` (${(f.pixels / 1e6).toFixed(0)} Mpx, ${f.blocks} blocks)`,
    );
  }
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runCogReadBench({ geotiffBaseline: process.argv.includes('--baseline') });
}
