/**
 * The decode-only bound of a flood job: decompress every input block the job needs exactly once (every item of
 * the time range, both bands, the blocks intersecting the output grid), from bytes already in memory. Returns
 * the CPU time on one core; the job's 2-core bound is half of it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createBlockDecoder, type BlockDecodeParams } from '../src/raster/block-decoder.ts';
import { FileSource } from '../src/raster/file-source.ts';
import { readCogHeader } from '../src/raster/cog-header.ts';

export interface DecodeOnlyResult {
  blocks: number;
  pixels: number;
  cpuMs: number;
}

/** `transform` and `shape` of the job's output grid (same CRS as the items). */
export async function decodeOnly(collectionDir: string, shape: [number, number], transform: number[], from: string, to: string): Promise<DecodeOnlyResult> {
  const decoder = await createBlockDecoder();
  const [rows, cols] = shape;
  const gx0 = transform[2];
  const gy0 = transform[5];
  const res = transform[0];
  const buffers: { bytes: Uint8Array; params: BlockDecodeParams }[] = [];
  const itemsDir = path.join(collectionDir, 'items');
  for (const f of readdirSync(itemsDir)) {
    const item = JSON.parse(readFileSync(path.join(itemsDir, f), 'utf8'));
    const dt = item.properties.datetime.slice(0, 10);
    if (dt < from || dt >= to) continue;
    for (const asset of Object.values(item.assets) as { href: string }[]) {
      const href = path.resolve(itemsDir, asset.href);
      const src = new FileSource(href);
      const info = await readCogHeader(src);
      const [ix0, , , iy0] = info.geoTransform!;
      const c0 = Math.max(0, Math.floor((gx0 - ix0) / res));
      const c1 = Math.min(info.width, Math.ceil((gx0 + cols * res - ix0) / res));
      const r0 = Math.max(0, Math.floor((iy0 - gy0) / res));
      const r1 = Math.min(info.height, Math.ceil((iy0 - (gy0 - rows * res)) / res));
      if (c0 >= c1 || r0 >= r1) continue;
      const fd = readFileSync(href);
      for (let by = Math.floor(r0 / info.tileHeight); by * info.tileHeight < r1; by++) {
        for (let bx = Math.floor(c0 / info.tileWidth); bx * info.tileWidth < c1; bx++) {
          const k = by * info.tilesAcross + bx;
          const len = info.tileByteCounts[k];
          if (len === 0) continue;
          const off = info.tileOffsets[k];
          buffers.push({
            bytes: fd.subarray(off, off + len),
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
    }
  }
  const t0 = process.cpuUsage();
  for (const b of buffers) await decoder.decode(b.bytes, b.params);
  const t = process.cpuUsage(t0);
  return { blocks: buffers.length, pixels: buffers.reduce((s, b) => s + b.params.decodedBytes, 0), cpuMs: (t.user + t.system) / 1000 };
}
