/** Pull-style entry points: the writer asks for each tile in COG order and writes a file or a stream. */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { type CogOptions, type CogWriteResult, CogWriter } from './cog-writer.ts';
import type { CogTypedArray } from './dtypes.ts';

/**
 * Returns the full-resolution tile (band, tx, ty): tileSize x tileSize samples row-major, or exactly the edge
 * tile's size. Called rows of tiles top to bottom, columns left to right, bands innermost; each call is awaited
 * before the next, so memory stays bounded by the caller's own tile.
 */
export type TileSource = (band: number, tx: number, ty: number) => CogTypedArray | Promise<CogTypedArray>;

/** Creates a writer and pushes every tile into it; on any failure the temporary data is removed. */
async function produce(options: CogOptions, getTile: TileSource, signal?: AbortSignal): Promise<CogWriter> {
  signal?.throwIfAborted();
  const writer = await CogWriter.create(options);
  try {
    for (let t = writer.nextTile; t; t = writer.nextTile) {
      signal?.throwIfAborted();
      await writer.writeTile(t.band, t.tx, t.ty, await getTile(t.band, t.tx, t.ty));
    }
  } catch (e) {
    await writer.abort();
    throw e;
  }
  return writer;
}

/** Writes a COG to a Node Writable (which is ended when done). Temporary tile data goes to `options.tempDir`. */
export async function writeCogToStream(
  sink: Writable,
  options: CogOptions,
  getTile: TileSource,
  signal?: AbortSignal,
): Promise<CogWriteResult> {
  let writer: CogWriter;
  try {
    writer = await produce(options, getTile, signal);
  } catch (e) {
    sink.destroy();
    throw e;
  }
  return writer.finish(sink, signal);
}

/**
 * Writes a COG to a local path. The file appears atomically (written as `<path>.partial`, then renamed);
 * temporary tile data lives next to it unless `options.tempDir` says otherwise.
 */
export async function writeCog(
  path: string,
  options: CogOptions,
  getTile: TileSource,
  signal?: AbortSignal,
): Promise<CogWriteResult> {
  const writer = await produce({ ...options, tempDir: options.tempDir ?? dirname(path) }, getTile, signal);
  return finishToFile(writer, path, signal);
}

/** Finishes a push-style writer into a local file, atomically (`<path>.partial`, then renamed). */
export async function finishToFile(writer: CogWriter, path: string, signal?: AbortSignal): Promise<CogWriteResult> {
  const partial = `${path}.partial`;
  try {
    const result = await writer.finish(createWriteStream(partial), signal);
    await rename(partial, path);
    return result;
  } catch (e) {
    await rm(partial, { force: true });
    throw e;
  }
}
