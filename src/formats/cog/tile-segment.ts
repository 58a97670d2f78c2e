/**
 * A temporary file that collects the encoded tiles of one (level, band) in index order, so that tile data can be
 * produced full resolution first but laid out smallest overview first, as COG readers expect.
 */
import { type FileHandle, open } from 'node:fs/promises';

const FLUSH_BYTES = 4 * 1024 * 1024;

export class TileSegment {
  /** Byte offset of each tile relative to the start of the segment. */
  readonly offsets: number[] = [];
  readonly byteCounts: number[] = [];
  size = 0;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  private constructor(
    readonly path: string,
    private readonly file: FileHandle,
  ) {}

  static async create(path: string): Promise<TileSegment> {
    return new TileSegment(path, await open(path, 'w'));
  }

  async append(bytes: Uint8Array): Promise<void> {
    this.offsets.push(this.size);
    this.byteCounts.push(bytes.length);
    this.size += bytes.length;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= FLUSH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const data = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    for (let done = 0; done < data.length; ) {
      const { bytesWritten } = await this.file.write(data, done, data.length - done);
      done += bytesWritten;
    }
  }

  async close(): Promise<void> {
    await this.flush();
    await this.file.close();
  }

  /** Closes without flushing (after an error or abort). */
  async discard(): Promise<void> {
    this.pending = [];
    await this.file.close().catch(() => undefined);
  }
}
