/**
 * The flood workflow as Dask users run it today (bench/dask-flood.py: xarray + dask, rioxarray reads, 1000-px
 * chunks, threaded scheduler with 2 workers) on the same inputs and output grid as our job, and a pixel comparison
 * of its arrays with our job's Zarr result (bench/compare-zarr.py). Both run on Debian's python3; `unavailable`
 * says why when they could not (e.g. python3-dask not installed).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';

export interface DaskFloodResult {
  wallMs: number;
  cpuMs: number;
  steps: number;
  items: number;
  tasks: number;
}

export type PixelDiff = Record<string, { differing?: number; shape: number[]; daskShape: number[]; examples?: number[][]; missing?: string }>;

function runPython<T>(script: string, args: string[]): T | { unavailable: string } {
  const r = spawnSync(PYTHON, [path.join(here, script), ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) return { unavailable: (r.error?.message ?? r.stderr.trim().split('\n').pop()) || `exit ${r.status}` };
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}

/** Runs the Dask pipeline; it writes `<band>.npy` into `outDir`. `from`/`to` as the openEO temporal extent. */
export function daskFlood(collectionDir: string, from: string, to: string, shape: [number, number], transform: number[], outDir: string) {
  return runPython<DaskFloodResult>('dask-flood.py', [collectionDir, from, to, JSON.stringify({ shape, transform }), outDir]);
}

/** Differing pixels per variable between our job's Zarr store and the Dask arrays in `npyDir`. */
export function compareWithZarr(zarrPath: string, npyDir: string) {
  return runPython<PixelDiff>('compare-zarr.py', [zarrPath, npyDir]);
}

/** The total of differing pixels over both variables, undefined when a variable could not be compared. */
export function totalDiffering(diff: PixelDiff): number | undefined {
  let n = 0;
  for (const v of Object.values(diff)) {
    if (v.differing === undefined) return undefined;
    n += v.differing;
  }
  return n;
}
