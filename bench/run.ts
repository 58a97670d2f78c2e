/**
 * `npm run bench`: end-to-end flood job on the medium demo collection against the decode-only bounds of the same
 * inputs (our zstd decoder on bytes in memory, and GDAL reading the same blocks) and against the Dask workflow users
 * run today (same inputs and grid, with a pixel comparison), peak RSS as the area and the month double, and COG read
 * throughput, and the job over remote COGs (served over HTTP with a delay). Figures are measured side by side in one
 * run and reported as ratios, because the machine is shared and noisy.
 * Options: --size small|medium (default medium), --texture smooth|speckle|both (default smooth), --compression
 * zstd|deflate (of the input COGs, default zstd; GFM's COGs come with either), --remote-delay MS (default 20; see
 * remote.ts), --skip-remote, --skip-cog, --skip-distributed. The smooth demo likelihood compresses far better than
 * real GFM inputs, so decode-only is unrealistically cheap; speckle (see src/demo-data/speckle.ts) decodes more like them. Each texture has its own
 * cached collection; `both` runs the flood-job section on each and prints them side by side, and the later sections
 * on the first (smooth).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEMO_TEXTURES, generateDemoData, type DemoSize, type DemoTexture } from '../src/demo-data/index.ts';
import { threadEntry } from '../src/executor/thread-entry.ts';
import { jobResultKey } from '../src/results/layout.ts';
import { runCogReadBench } from './cog-read.ts';
import { decodeOnly, gdalDecodeOnly, neededBlocks, type NeededBlocks } from './decode-only.ts';
import { compareWithZarr, daskFlood, totalDiffering } from './dask-flood.ts';
import { runDistributedBench } from './distributed.ts';
import { remoteFloodJob } from './remote.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    size: { type: 'string', default: 'medium' },
    texture: { type: 'string', default: 'smooth' },
    compression: { type: 'string', default: 'zstd' },
    'remote-delay': { type: 'string', default: '20' },
    'skip-remote': { type: 'boolean', default: false },
    'skip-cog': { type: 'boolean', default: false },
    'skip-distributed': { type: 'boolean', default: false },
  },
});
const size = values.size as DemoSize;
const textures: DemoTexture[] = values.texture === 'both' ? ['smooth', 'speckle'] : [values.texture as DemoTexture];
if (!textures.every((t) => DEMO_TEXTURES.includes(t))) throw new Error(`--texture must be ${DEMO_TEXTURES.join(', ')} or both`);
const compression = values.compression as 'zstd' | 'deflate';
if (compression !== 'zstd' && compression !== 'deflate') throw new Error('--compression must be zstd or deflate');
/** The smooth zstd collection keeps the cache folder it always had. */
const rootOf = (texture: DemoTexture) =>
  path.join(tmpdir(), `openeo-bench-${size}${texture === 'smooth' ? '' : `-${texture}`}${compression === 'zstd' ? '' : `-${compression}`}`);
const log = (s: string) => process.stdout.write(s + '\n');

const AOI = { west: 67.398376, south: 26.197341, east: 69.0271, north: 27.591066 };
const halfAoi = { ...AOI, east: (AOI.west + AOI.east) / 2 };
const graphFile = (root: string, name: string, bbox: typeof AOI, time: [string, string]) => {
  const body = JSON.parse(execFileSync('cat', [path.join(here, '../process-graphs/gfm-flood-monthly.json')], { encoding: 'utf8' }));
  body.process.process_graph.load.arguments.spatial_extent = bbox;
  body.process.process_graph.load.arguments.temporal_extent = time;
  const f = path.join(root, `${name}.json`);
  mkdirSync(root, { recursive: true });
  writeFileSync(f, JSON.stringify(body));
  return f;
};

function job(root: string, name: string, bbox: typeof AOI, time: [string, string], runs = 1) {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(here, 'flood-job.ts'), root, graphFile(root, name, bbox, time), String(runs)], {
    encoding: 'utf8',
    env: { ...process.env, STORAGE_URL: path.join(root, 'results') },
    maxBuffer: 1 << 24,
  });
  const r = JSON.parse(out.trim().split('\n').pop()!);
  if (r.status !== 'finished') throw new Error(`bench job ${name} ended in ${r.status}: ${JSON.stringify(r.error)}`);
  return r as { id: string; wallMs: number; cpuMs: number; maxRssMB: number; shape: [number, number]; transform: number[]; warm?: { wallMs: number; cpuMs: number; runs: number } };
}

const compressedBytes = (needed: NeededBlocks[]) =>
  needed.reduce((s, n) => s + n.blocks.reduce((t, [bx, by]) => t + n.info.tileByteCounts[by * n.info.tilesAcross + bx], 0), 0);

async function floodSection(texture: DemoTexture) {
  const root = rootOf(texture);
  const collection = path.join(root, 'demo', 'gfm');
  if (!existsSync(path.join(collection, 'collection.json'))) {
    log(`generating the ${size} ${texture} ${compression} demo collection in ${collection} …`);
    await generateDemoData({ size, outDir: collection, texture, compression });
  }
  log(`\n== flood job on the ${size} ${texture} demo collection, ${compression} COGs (2 bands, tutorial AOI, August 2023) ==`);
  const full = job(root, 'full', AOI, ['2023-08-01', '2023-09-01']);
  const needed = await neededBlocks(collection, full.shape, full.transform, '2023-08-01', '2023-09-01');
  const bound = await decodeOnly(needed);
  const gdal = gdalDecodeOnly(needed);
  const inputMPix = bound.pixels / 1e6;
  const bound2 = bound.cpuMs / 2;
  log(`output grid: ${full.shape[1]} x ${full.shape[0]} px`);
  log(`job wall time: ${(full.wallMs / 1000).toFixed(2)} s (CPU ${(full.cpuMs / 1000).toFixed(2)} s), input ${inputMPix.toFixed(0)} MPix (${(compressedBytes(needed) / 1e6).toFixed(1)} MB compressed) = ${(inputMPix / (full.wallMs / 1000)).toFixed(0)} MPix/s`);
  log(`decode-only bound: ${bound.blocks} blocks, ${(bound.cpuMs / 1000).toFixed(2)} CPU-s on one core = ${(bound2 / 1000).toFixed(2)} s on two cores`);
  log(`ratio job / decode-only (2 cores): ${(full.wallMs / bound2).toFixed(2)}  (target ≤ 2)`);
  if ('unavailable' in gdal) log(`GDAL decode-only: not measured (${gdal.unavailable})`);
  else {
    log(`GDAL decode-only (ReadRaster per needed block, one process): ${gdal.blocks} blocks, ${(gdal.wallMs / 1000).toFixed(2)} s wall, ${(gdal.cpuMs / 1000).toFixed(2)} CPU-s = ${(gdal.cpuMs / 2000).toFixed(2)} s on two cores`);
    log(`ratio job / GDAL decode-only: ${(full.wallMs / gdal.wallMs).toFixed(2)} to one process, ${(full.wallMs / (gdal.cpuMs / 2)).toFixed(2)} to two cores  (target ≤ 2)`);
  }
  log(`peak RSS: ${full.maxRssMB.toFixed(0)} MB`);
  // The figures above include booting the worker threads (loading the TypeScript modules), which a server does once.
  const warm = job(root, 'full-warm', AOI, ['2023-08-01', '2023-09-01'], 4).warm!;
  log(`same job again in the same process (workers booted, kernels compiled), median of ${warm.runs}: ${(warm.wallMs / 1000).toFixed(2)} s wall (CPU ${(warm.cpuMs / 1000).toFixed(2)} s)`);
  log(`  ratios of the warm job: ${(warm.wallMs / bound2).toFixed(2)} to our decode-only (2 cores)${'unavailable' in gdal ? '' : `, ${(warm.wallMs / gdal.wallMs).toFixed(2)} to GDAL's one process, ${(warm.wallMs / (gdal.cpuMs / 2)).toFixed(2)} to GDAL on two cores`}`);
  const dask = daskSection(root, collection, full);
  if (dask) log(`  ratio Dask / our job: ${(dask.wallMs / full.wallMs).toFixed(2)} cold, ${(dask.wallMs / warm.wallMs).toFixed(2)} warm  (target ≥ 5)`);
  return { texture, root, full, warm, bound2, dask, gdal: 'unavailable' in gdal ? undefined : gdal, compressedMB: compressedBytes(needed) / 1e6 };
}

/** The Dask workflow on the same inputs and output grid as `full`, and its pixels against `full`'s Zarr result. */
function daskSection(root: string, collection: string, full: ReturnType<typeof job>) {
  const out = mkdtempSync(path.join(tmpdir(), 'openeo-bench-dask-'));
  try {
    const dask = daskFlood(collection, '2023-08-01', '2023-09-01', full.shape, full.transform, out);
    if ('unavailable' in dask) {
      log(`Dask: not measured (${dask.unavailable}; apt-get install python3-dask python3-rasterio python3-rioxarray)`);
      return undefined;
    }
    log(`Dask (xarray + rioxarray, 1000-px chunks, threaded scheduler, 2 workers; ${dask.items} items, ${dask.tasks} tasks): ${(dask.wallMs / 1000).toFixed(2)} s wall (CPU ${(dask.cpuMs / 1000).toFixed(2)} s)`);
    const diff = compareWithZarr(path.join(root, 'results', jobResultKey(full.id, 'result.zarr')), out);
    if ('unavailable' in diff) {
      log(`pixels vs Dask: not compared (${diff.unavailable})`);
      return { ...dask, differing: undefined };
    }
    const differing = totalDiffering(diff);
    const perVar = Object.entries(diff).map(([name, v]) => (v.differing === undefined ? `${name} not comparable (${v.missing ? `missing in ${v.missing}` : `shape ${v.shape} vs ${v.daskShape}`})` : `${name} ${v.differing}`));
    log(`pixels differing from Dask: ${perVar.join(', ')}${differing === 0 ? ' → identical' : ''}`);
    for (const [name, v] of Object.entries(diff)) if (v.examples?.length) log(`  ${name} first differences [row, col, ours, Dask]: ${JSON.stringify(v.examples)}`);
    return { ...dask, differing };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

// As a deployed server finds it (the image builds it): a job that built it would count esbuild in its time and RSS.
const t0 = performance.now();
const entry = await threadEntry({ bundle: true, warn: (m) => log(`worker bundle: ${m}`) });
log(`MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? 'unset (glibc default: 8 arenas per core)'} for the job processes (npm run bench sets 2, as npm start does)`);
log(`worker threads boot from ${entry.kind === 'bundle' ? `their bundle (ready in ${(performance.now() - t0).toFixed(0)} ms)` : 'tsx'}`);
const sections: Awaited<ReturnType<typeof floodSection>>[] = [];
for (const texture of textures) sections.push(await floodSection(texture));
if (sections.length > 1) {
  log(`\n== flood job side by side (${size}, ${compression} COGs) ==`);
  const row = (label: string, f: (s: (typeof sections)[number]) => number | undefined, digits = 2) =>
    log(label.padEnd(44) + sections.map((s) => (f(s)?.toFixed(digits) ?? 'n/a').padStart(10)).join(''));
  log(''.padEnd(44) + sections.map((s) => s.texture.padStart(10)).join(''));
  row('input compressed (MB)', (s) => s.compressedMB, 1);
  row('job wall (s)', (s) => s.full.wallMs / 1000);
  row('decode-only bound, 2 cores (s)', (s) => s.bound2 / 1000);
  row('GDAL decode-only, one process (s)', (s) => s.gdal && s.gdal.wallMs / 1000);
  row('ratio job / decode-only (2 cores)', (s) => s.full.wallMs / s.bound2);
  row('ratio job / GDAL (one process)', (s) => s.gdal && s.full.wallMs / s.gdal.wallMs);
  row('ratio job / GDAL (2 cores)', (s) => s.gdal && s.full.wallMs / (s.gdal.cpuMs / 2));
  row('warm job wall (s)', (s) => s.warm.wallMs / 1000);
  row('warm ratio / decode-only (2 cores)', (s) => s.warm.wallMs / s.bound2);
  row('warm ratio / GDAL (one process)', (s) => s.gdal && s.warm.wallMs / s.gdal.wallMs);
  row('Dask wall, 2 workers (s)', (s) => s.dask && s.dask.wallMs / 1000);
  row('ratio Dask / job (target ≥ 5)', (s) => s.dask && s.dask.wallMs / s.full.wallMs);
  row('ratio Dask / warm job', (s) => s.dask && s.dask.wallMs / s.warm.wallMs);
  row('pixels differing from Dask', (s) => s.dask?.differing, 0);
  row('peak RSS (MB)', (s) => s.full.maxRssMB, 0);
}
const { root, full } = sections[0];
if (sections.length > 1) log(`\n(the sections below use the ${sections[0].texture} collection)`);

log('\n== peak RSS as the area or the month doubles ==');
const halfArea = job(root, 'half-area', halfAoi, ['2023-08-01', '2023-09-01']);
const halfMonth = job(root, 'half-month', AOI, ['2023-08-01', '2023-08-16']);
log(`half area, full month: ${halfArea.maxRssMB.toFixed(0)} MB (${(halfArea.wallMs / 1000).toFixed(2)} s)`);
log(`full area, half month: ${halfMonth.maxRssMB.toFixed(0)} MB (${(halfMonth.wallMs / 1000).toFixed(2)} s)`);
log(`full area, full month: ${full.maxRssMB.toFixed(0)} MB; ratios to half area ${(full.maxRssMB / halfArea.maxRssMB).toFixed(2)}, to half month ${(full.maxRssMB / halfMonth.maxRssMB).toFixed(2)}`);

if (!values['skip-remote']) {
  const delay = Number(values['remote-delay']);
  log(`\n== remote COGs: the same job with its COGs served over HTTP, every request answered after ${delay} ms ==`);
  const local = job(root, 'full-local', AOI, ['2023-08-01', '2023-09-01'], 4);
  const remote = await remoteFloodJob(root, path.join(root, 'demo', 'gfm'), graphFile(root, 'full-remote', AOI, ['2023-08-01', '2023-09-01']), delay);
  log(`local files: cold ${(local.wallMs / 1000).toFixed(2)} s, warm ${(local.warm!.wallMs / 1000).toFixed(2)} s (median of ${local.warm!.runs}), peak RSS ${local.maxRssMB.toFixed(0)} MB`);
  log(`over HTTP:   cold ${(remote.wallMs / 1000).toFixed(2)} s, warm ${(remote.warm.wallMs / 1000).toFixed(2)} s (median of ${remote.warm.runs}), peak RSS ${remote.maxRssMB.toFixed(0)} MB, ${remote.requests} range requests`);
  log(`ratio remote / local, warm: ${(remote.warm.wallMs / local.warm!.wallMs).toFixed(2)}`);
}

if (!values['skip-cog']) {
  log('\n== COG read throughput (readWindow vs decode-only of the same blocks) ==');
  const cog = await runCogReadBench({ passes: 3 });
  for (const [codec, f] of Object.entries(cog)) {
    log(`${codec}: ${f.readMPixPerCpuS.toFixed(0)} MPix per CPU-s, decode-only ${f.decodeOnlyMPixPerS.toFixed(0)} MPix/s, ratio ${f.ratio.toFixed(2)}`);
  }
}

if (!values['skip-distributed']) {
  log('\n== distributed: 1 vs 2 worker processes (1 thread each) on one Postgres, queue overhead per task ==');
  const d = await runDistributedBench(root, full.shape);
  log(`${d.chunks} chunks of 1024 px in ${d.tasks} queue tasks`);
  log(`in-process task queue, 1 thread: ${(d.localMs / 1000).toFixed(2)} s`);
  log(`1 worker process:  ${(d.oneWorkerMs / 1000).toFixed(2)} s`);
  log(`2 worker processes: ${(d.twoWorkersMs / 1000).toFixed(2)} s → throughput ratio 2 vs 1 workers: ${(d.oneWorkerMs / d.twoWorkersMs).toFixed(2)}`);
  const overhead = (d.oneWorkerMs - d.localMs) / d.tasks;
  log(`queue overhead per task: ${overhead.toFixed(0)} ms (1 worker on the Postgres queue vs the in-process queue, same thread count${overhead < 0 ? '; negative = below the noise of this machine' : ''})`);
}
process.exit(0);
