/** Synthetic cubes for the writer tests, the chunk loop the executor runs, and the external readers (oracles). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { type ChunkWindow, chunkWindows, type DType, DTYPE_INFO, type RasterFormatWriter, type RasterMeta, type SampleArray } from '../../src/formats/raster-writer.ts';
import { LocalObjectStore } from '../../src/storage/index.ts';
import type { S3ObjectStore } from '../../src/storage/s3-store.ts';
import { openS3TestStore } from '../storage/s3-env.ts';

/** Equi7Grid Asia as EODC publishes it (ESRI-flavoured WKT1, Azimuthal Equidistant). */
export const EQUI7_WKT =
  'PROJCS["Azimuthal_Equidistant",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,' +
  '298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Azimuthal_Equidistant"],' +
  'PARAMETER["false_easting",4340913.84808],PARAMETER["false_northing",4812712.92347],' +
  'PARAMETER["longitude_of_center",94.0],PARAMETER["latitude_of_center",47.0],UNIT["Meter",1.0]]';

export const UTM33_WKT =
  'PROJCS["WGS 84 / UTM zone 33N",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",15],PARAMETER["scale_factor",0.9996],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","32633"]]';

export interface Cube {
  meta: RasterMeta;
  /** Whole-raster samples per variable, (t,)y,x. */
  full: Record<string, SampleArray>;
}

/** Deterministic samples: a pattern with nodata in a block and the value depending on (t, y, x). */
function sample(dtype: DType, nodata: number | null, t: number, y: number, x: number, seed: number): number {
  if (nodata !== null && ((x >= 300 && x < 520 && y >= 260 && y < 512) || (x + 2 * y) % 97 === 0)) return nodata;
  const v = (x * 7 + y * 13 + t * 31 + seed * 17) % 200;
  return DTYPE_INFO[dtype].integer ? v : v / 4 - 10.25;
}

export function makeCube(options: {
  width?: number; height?: number; chunk?: number; wkt?: string; epsg?: number; time?: string[];
  variables: { name: string; dtype: DType; nodata: number | null }[];
}): Cube {
  const width = options.width ?? 700;
  const height = options.height ?? 500;
  const meta: RasterMeta = {
    grid: { crs: { wkt: options.wkt ?? EQUI7_WKT, ...(options.epsg ? { epsg: options.epsg } : {}) }, transform: [20, 0, 4_800_000, 0, -20, 1_500_000], width, height },
    chunk: { width: options.chunk ?? 256, height: options.chunk ?? 256 },
    variables: options.variables.map((v) => ({ ...v, description: `test variable ${v.name}` })),
    ...(options.time ? { time: { labels: options.time } } : {}),
    attributes: { title: 'synthetic test cube' },
  };
  const nt = options.time?.length ?? 1;
  const full: Record<string, SampleArray> = {};
  options.variables.forEach((v, seed) => {
    const a = new DTYPE_INFO[v.dtype].ctor(nt * width * height);
    for (let t = 0; t < nt; t++) for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) a[(t * height + y) * width + x] = sample(v.dtype, v.nodata, t, y, x, seed);
    full[v.name] = a;
  });
  return { meta, full };
}

/** The samples of one chunk window, as the executor hands them over. */
export function chunkData(cube: Cube, w: ChunkWindow): Record<string, ArrayBufferView> {
  const { width, height } = cube.meta.grid;
  const nt = cube.meta.time?.labels.length ?? 1;
  const out: Record<string, ArrayBufferView> = {};
  for (const v of cube.meta.variables) {
    const src = cube.full[v.name];
    const dst = new DTYPE_INFO[v.dtype].ctor(nt * w.width * w.height);
    for (let t = 0; t < nt; t++) {
      for (let r = 0; r < w.height; r++) {
        const from = (t * height + w.y0 + r) * width + w.x0;
        dst.set(src.subarray(from, from + w.width), (t * w.height + r) * w.width);
      }
    }
    out[v.name] = dst;
  }
  return out;
}

/** begin, every chunk in a scrambled order (as parallel workers would), finish. */
export async function writeCube(writer: RasterFormatWriter, cube: Cube, signal = new AbortController().signal) {
  await writer.begin(cube.meta, signal);
  const windows = [...chunkWindows(cube.meta)];
  const order = windows.map((_, i) => (i * 7) % windows.length);
  const seen = new Set(order);
  windows.forEach((_, i) => seen.has(i) || order.push(i));
  for (const i of new Set(order)) await writer.writeChunk(cube.meta, windows[i], chunkData(cube, windows[i]), signal);
  return writer.finish(cube.meta, signal);
}

export function tempStore(): { dir: string; store: LocalObjectStore; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'formats-test-'));
  return { dir, store: new LocalObjectStore(dir), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Inside a describe: a temporary local store and the S3 test bucket, emptied and closed after the suite. */
export function localAndS3Stores(): { tmp: ReturnType<typeof tempStore>; readonly s3: S3ObjectStore } {
  const tmp = tempStore();
  let s3: S3ObjectStore | undefined;
  before(async () => {
    s3 = await openS3TestStore({ bucket: 'openeo-formats-test' });
  });
  after(async () => {
    tmp.cleanup();
    if (s3) {
      await s3.deletePrefix('');
      await s3.close();
    }
  });
  return {
    tmp,
    get s3() {
      if (!s3) throw new Error('the S3 test store is opened in before()');
      return s3;
    },
  };
}
