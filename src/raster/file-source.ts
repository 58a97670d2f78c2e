/**
 * Local files. The FileHandle is opened on first use, shared by overlapping reads and closed after `idleMs`
 * without reads (an unref'd timer), so chunk after chunk costs no open/close while nothing leaks a descriptor.
 */
import { type FileHandle, open, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type ByteRange, type ByteSource, upstreamInvalid, upstreamUnavailable } from './byte-source.ts';

export interface FileSourceOptions {
  /** Close the file after this long without reads. Default 1000 ms. */
  idleMs?: number;
}

export class FileSource implements ByteSource {
  readonly id: string;
  private readonly path: string;
  private readonly idleMs: number;
  private handle: Promise<FileHandle> | undefined;
  private users = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  /** @param pathOrUrl an absolute path or a file:// URL */
  constructor(pathOrUrl: string, options: FileSourceOptions = {}) {
    this.id = pathOrUrl;
    this.path = pathOrUrl.startsWith('file:') ? fileURLToPath(pathOrUrl) : pathOrUrl;
    this.idleMs = options.idleMs ?? 1000;
  }

  async size(signal?: AbortSignal): Promise<number> {
    signal?.throwIfAborted();
    try {
      return (await stat(this.path)).size;
    } catch (e) {
      throw this.wrap(e);
    }
  }

  async read(ranges: readonly ByteRange[], signal?: AbortSignal): Promise<Uint8Array[]> {
    signal?.throwIfAborted();
    if (ranges.length === 0) return [];
    const fh = await this.acquire();
    try {
      return await Promise.all(ranges.map((r) => readRange(fh, r, signal)));
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      throw this.wrap(e);
    } finally {
      this.release();
    }
  }

  /** Closes the file now (it would close by itself after idleMs). */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const h = this.handle;
    this.handle = undefined;
    await h?.then((fh) => fh.close()).catch(() => undefined);
  }

  private async acquire(): Promise<FileHandle> {
    clearTimeout(this.idleTimer);
    this.users++;
    this.handle ??= open(this.path, 'r');
    try {
      return await this.handle;
    } catch (e) {
      this.handle = undefined;
      this.users--;
      throw this.wrap(e);
    }
  }

  private release(): void {
    if (--this.users > 0) return;
    this.idleTimer = setTimeout(() => void this.close(), this.idleMs);
    this.idleTimer.unref();
  }

  private wrap(e: unknown): Error {
    if ((e as Error)?.name === 'OpenEOError') return e as Error;
    const code = (e as NodeJS.ErrnoException)?.code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return upstreamInvalid(this.id, 'file not found', e);
    if (code === 'EACCES' || code === 'EPERM') return upstreamUnavailable(this.id, 'permission denied', e);
    return upstreamUnavailable(this.id, `file read failed (${code ?? String(e)})`, e);
  }
}

async function readRange(fh: FileHandle, { offset, length }: ByteRange, signal?: AbortSignal): Promise<Uint8Array> {
  // every byte is overwritten by the read (or cut off below), so skip zero-filling
  const buf = new Uint8Array(Buffer.allocUnsafeSlow(Math.max(0, length)).buffer, 0, Math.max(0, length));
  let filled = 0;
  // read() may return fewer bytes than asked; loop until full or end of file
  while (filled < length) {
    signal?.throwIfAborted();
    const { bytesRead } = await fh.read(buf, filled, length - filled, offset + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === length ? buf : buf.subarray(0, filled);
}
