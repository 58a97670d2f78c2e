/**
 * The decode-only bound of a flood job: decompress every input block the job needs exactly once (every item of
 * the time range, both bands, the blocks intersecting the output grid), from bytes already in memory. Returns
 * the CPU time on one core; the job's 2-core bound is half of it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBlockDecoder, type BlockDecodeParams } from '../src/raster/block-decoder.ts';
import { FileSource } from '../src/raster/file-source.ts';
import { readCogHeader } from '../src/raster/cog-header.ts';
import type { CogInfo } from '../src/raster/cog-header.ts';

export interface DecodeOnlyResult {
  blocks: number;
  pixels: number;
  cpuMs: number;
}

/** The blocks of one asset a job needs: full-resolution block columns and rows, only those stored (non-sparse). */
export interface NeededBlocks {
  href: string;
  info: CogInfo;
  blocks: [col: number, row: number][];
}

/** Every stored block of every asset of the time range that intersects the output grid (`shape`, `transform`). */
export async function neededBlocks(collectionDir: string, shape: [number, number], transform: number[], from: string, to: string): Promise<NeededBlocks[]> {
  const [rows, cols] = shape;
  const gx0 = transform[2];
  const gy0 = transform[5];
  const res = transform[0];
  const out: NeededBlocks[] = [];
  const itemsDir = path.join(collectionDir, 'items');
  for (const f of readdirSync(itemsDir)) {
    const item = JSON.parse(readFileSync(path.join(itemsDir, f), 'utf8'));
    const dt = item.properties.datetime.slice(0, 10);
    if (dt < from || dt >= to) continue;
    for (const asset of Object.values(item.assets) as { href: string }[]) {
      const href = path.resolve(itemsDir, asset.href);
      const info = await readCogHeader(new FileSource(href));
      const [ix0, , , iy0] = info.geoTransform!;
      const c0 = Math.max(0, Math.floor((gx0 - ix0) / res));
      const c1 = Math.min(info.width, Math.ceil((gx0 + cols * res - ix0) / res));
      const r0 = Math.max(0, Math.floor((iy0 - gy0) / res));
      const r1 = Math.min(info.height, Math.ceil((iy0 - (gy0 - rows * res)) / res));
      if (c0 >= c1 || r0 >= r1) continue;
      const blocks: [number, number][] = [];
      for (let by = Math.floor(r0 / info.tileHeight); by * info.tileHeight < r1; by++) {
        for (let bx = Math.floor(c0 / info.tileWidth); bx * info.tileWidth < c1; bx++) {
          if (info.tileByteCounts[by * info.tilesAcross + bx] > 0) blocks.push([bx, by]);
        }
      }
      out.push({ href, info, blocks });
    }
  }
  return out;
}

export async function decodeOnly(needed: NeededBlocks[]): Promise<DecodeOnlyResult> {
  const decoder = await createBlockDecoder();
  const buffers: { bytes: Uint8Array; params: BlockDecodeParams }[] = [];
  for (const { href, info, blocks } of needed) {
    const fd = readFileSync(href);
    for (const [bx, by] of blocks) {
      const k = by * info.tilesAcross + bx;
      const off = info.tileOffsets[k];
      buffers.push({
        bytes: fd.subarray(off, off + info.tileByteCounts[k]),
        params: {
          compression: info.compression,
          decodedBytes: info.tileWidth * info.tileHeight * info.bytesPerSample * info.samplesPerPixel,
          tileWidth: info.tileWidth,
          tileHeight: info.tileHeight,
          bitsPerSample: info.bytesPerSample * 8,
          samplesPerPixel: info.samplesPerPixel,
          planarConfiguration: info.planar ? 2 : 1,
        },
      });
    }
  }
  // into one reused buffer per size, as the reader does with its recycled buffers
  const into = new Map<number, Uint8Array>();
  for (const b of buffers) if (!into.has(b.params.decodedBytes)) into.set(b.params.decodedBytes, new Uint8Array(b.params.decodedBytes));
  const t0 = process.cpuUsage();
  for (const b of buffers) await decoder.decode(b.bytes, b.params, into.get(b.params.decodedBytes));
  const t = process.cpuUsage(t0);
  return { blocks: buffers.length, pixels: buffers.reduce((s, b) => s + b.params.decodedBytes, 0), cpuMs: (t.user + t.system) / 1000 };
}

export interface GdalDecodeOnlyResult extends DecodeOnlyResult {
  wallMs: number;
}

/**
 * The same blocks read by GDAL (bench/gdal-decode-only.py, Debian's python3 with osgeo), one process and one
 * thread: the decode-only notion of the issue; `unavailable` says why when it could not run (e.g. no GDAL).
 */
export function gdalDecodeOnly(needed: NeededBlocks[]): GdalDecodeOnlyResult | { unavailable: string } {
  const input = JSON.stringify(needed.map((n) => ({ href: n.href, blocks: n.blocks })));
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'gdal-decode-only.py');
  const r = spawnSync('/usr/bin/python3', [script], { input, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) return { unavailable: (r.error?.message ?? r.stderr.trim().split('\n').pop()) || `exit ${r.status}` };
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}
