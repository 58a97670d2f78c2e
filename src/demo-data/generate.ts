/**
 * Writes the demo GFM collection: a static STAC collection with one item per (acquisition, tile crop) and two
 * ZSTD/DEFLATE COGs per item. Block by block, both bands of an item are rendered once and pushed into two
 * streaming COG writers, so memory stays at a few 512-px blocks whatever the tile size.
 * The collection is built in `<outDir>.partial` and swapped in at the end, so a reader never sees a mix.
 */
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { OpenEOError } from '../errors.ts';
import { CogWriter, finishToFile } from '../formats/cog/index.ts';
import { EQUI7_ASIA_WKT, PIXEL_M } from './equi7.ts';
import { type BlockBuffers, type FloodModel, blockBuffers, renderBlock } from './flood-model.ts';
import type { DemoTexture } from './speckle.ts';
import { type Acquisition, type CropWindow, type DemoSize, planDemo } from './scenario.ts';
import { COLLECTION_ID, GFM_BANDS, type StacItem, cogPath, stacCollection, stacItem } from './stac.ts';

export interface DemoProgress {
  /** Overall progress in [0, 1] (by blocks rendered). */
  fraction: number;
  itemsDone: number;
  itemsTotal: number;
  /** The item being written. */
  item: string;
}

export interface DemoDataOptions {
  size: DemoSize;
  outDir: string;
  /** Default 42. */
  seed?: number;
  /** Default 'zstd'. */
  compression?: 'zstd' | 'deflate';
  /** Default 'smooth'; 'speckle' makes the likelihood of observed pixels vary per pixel, like real GFM data. */
  texture?: DemoTexture;
  onProgress?: (p: DemoProgress) => void;
  signal?: AbortSignal;
}

export interface DemoDataResult {
  outDir: string;
  items: number;
  timestamps: number;
  tiles: string[];
  /** Bytes of all COGs. */
  bytes: number;
}

const BLOCK = 512;
const blocksOf = (c: CropWindow) => Math.ceil(c.cols / BLOCK) * Math.ceil(c.rows / BLOCK);

interface Job {
  acq: Acquisition;
  crop: CropWindow;
  item: StacItem;
}

async function writeItemCogs(
  job: Job,
  flood: FloodModel,
  dir: string,
  compression: 'zstd' | 'deflate',
  texture: DemoTexture,
  buf: BlockBuffers,
  onBlock: () => void,
  signal?: AbortSignal,
): Promise<number> {
  const { crop, acq, item } = job;
  const options = {
    width: crop.cols,
    height: crop.rows,
    dtype: 'uint8' as const,
    tileSize: BLOCK,
    compression,
    nodata: 255,
    crs: { wkt: EQUI7_ASIA_WKT, name: 'Azimuthal_Equidistant' },
    geoTransform: [crop.x0, PIXEL_M, 0, crop.y0, 0, -PIXEL_M] as const,
    tempDir: dir,
  };
  const writers = [await CogWriter.create(options), await CogWriter.create(options)];
  try {
    for (let ty = 0; ty < writers[0].tilesDown; ty++) {
      for (let tx = 0; tx < writers[0].tilesAcross; tx++) {
        signal?.throwIfAborted();
        const width = Math.min(BLOCK, crop.cols - tx * BLOCK);
        const height = Math.min(BLOCK, crop.rows - ty * BLOCK);
        const grid = { x0: crop.x0 + tx * BLOCK * PIXEL_M, y0: crop.y0 - ty * BLOCK * PIXEL_M, res: PIXEL_M, width, height };
        renderBlock(flood, acq.swath, acq.tau, acq.acquisitionSeed, grid, buf, texture);
        await writers[0].writeTile(0, tx, ty, buf.extent.subarray(0, width * height));
        await writers[1].writeTile(0, tx, ty, buf.likelihood.subarray(0, width * height));
        onBlock();
      }
    }
  } catch (e) {
    await Promise.all(writers.map((w) => w.abort()));
    throw e;
  }
  let bytes = 0;
  for (const [i, band] of GFM_BANDS.entries()) {
    bytes += (await finishToFile(writers[i], join(dir, cogPath(crop.tile, item.id, band)), signal)).bytes;
  }
  return bytes;
}

/** Refuses to replace a folder that is neither empty nor a previous demo collection. */
async function assertReplaceable(outDir: string): Promise<boolean> {
  const exists = await stat(outDir).then(
    (s) => s.isDirectory() || Promise.reject(new OpenEOError('BadRequest', `${outDir} is not a folder`)),
    () => false,
  );
  if (!exists) return false;
  if ((await readdir(outDir)).length === 0) return true;
  const id = await readFile(join(outDir, 'collection.json'), 'utf8')
    .then((t) => (JSON.parse(t) as { id?: unknown }).id)
    .catch(() => undefined);
  if (id !== COLLECTION_ID)
    throw new OpenEOError('BadRequest', `${outDir} exists and does not hold a demo GFM collection; not replacing it`);
  return true;
}

export async function generateDemoData(o: DemoDataOptions): Promise<DemoDataResult> {
  const seed = o.seed ?? 42;
  const compression = o.compression ?? 'zstd';
  const texture = o.texture ?? 'smooth';
  const plan = planDemo(o.size, seed);
  const jobs: Job[] = plan.acquisitions.flatMap((acq) =>
    [...acq.crops].sort((a, b) => a.tile.localeCompare(b.tile)).map((crop) => ({ acq, crop, item: stacItem(acq.datetime, crop) })),
  );
  const replace = await assertReplaceable(o.outDir);
  const staging = `${o.outDir}.partial`;
  await rm(staging, { recursive: true, force: true });
  for (const tile of new Set(plan.crops.map((c) => c.tile))) await mkdir(join(staging, 'cogs', tile), { recursive: true });
  await mkdir(join(staging, 'items'), { recursive: true });

  const totalBlocks = jobs.reduce((n, j) => n + blocksOf(j.crop), 0);
  let blocksDone = 0;
  let bytes = 0;
  const buf = blockBuffers(BLOCK * BLOCK, BLOCK);
  try {
    for (const [i, job] of jobs.entries()) {
      const report = () =>
        o.onProgress?.({ fraction: blocksDone / totalBlocks, itemsDone: i, itemsTotal: jobs.length, item: job.item.id });
      report();
      bytes += await writeItemCogs(job, plan.flood, staging, compression, texture, buf, () => {
        blocksDone++;
        if (blocksDone % 16 === 0) report();
      }, o.signal);
      await writeFile(join(staging, 'items', `${job.item.id}.json`), `${JSON.stringify(job.item, null, 2)}\n`);
    }
    const description =
      `Synthetic GFM-like flood maps (${o.size}, seed ${seed}${texture === 'smooth' ? '' : `, ${texture} likelihood`}) on Equi7Grid Asia T3 tiles, generated by ` +
      'openeo-backend for offline use and benchmarks. Not real observations.';
    await writeFile(join(staging, 'collection.json'), `${JSON.stringify(stacCollection(jobs.map((j) => j.item), description), null, 2)}\n`);
    if (replace) await rm(o.outDir, { recursive: true, force: true });
    await mkdir(dirname(o.outDir), { recursive: true });
    await rename(staging, o.outDir);
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
  o.onProgress?.({ fraction: 1, itemsDone: jobs.length, itemsTotal: jobs.length, item: jobs.at(-1)?.item.id ?? '' });
  return {
    outDir: o.outDir,
    items: jobs.length,
    timestamps: plan.acquisitions.length,
    tiles: [...new Set(plan.crops.map((c) => c.tile))].sort(),
    bytes,
  };
}
