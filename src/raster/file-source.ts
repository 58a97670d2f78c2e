/** Local files. The file is opened per read batch so no descriptor outlives a call (no close() to forget). */
import { open, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type ByteRange, type ByteSource, upstreamInvalid, upstreamUnavailable } from './byte-source.ts';

export class FileSource implements ByteSource {
  readonly id: string;
  private readonly path: string;

  /** @param pathOrUrl an absolute path or a file:// URL */
  constructor(pathOrUrl: string) {
    this.id = pathOrUrl;
    this.path = pathOrUrl.startsWith('file:') ? fileURLToPath(pathOrUrl) : pathOrUrl;
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
    let fh;
    try {
      fh = await open(this.path, 'r');
    } catch (e) {
      throw this.wrap(e);
    }
    try {
      return await Promise.all(
        ranges.map(async ({ offset, length }) => {
          const buf = new Uint8Array(length);
          let filled = 0;
          // read() may return fewer bytes than asked; loop until full or end of file
          while (filled < length) {
            signal?.throwIfAborted();
            const { bytesRead } = await fh.read(buf, filled, length - filled, offset + filled);
            if (bytesRead === 0) break;
            filled += bytesRead;
          }
          return filled === length ? buf : buf.subarray(0, filled);
        }),
      );
    } catch (e) {
      if (signal?.aborted) throw e;
      throw this.wrap(e);
    } finally {
      await fh.close();
    }
  }

  private wrap(e: unknown): Error {
    const code = (e as NodeJS.ErrnoException)?.code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return upstreamInvalid(this.id, 'file not found', e);
    if (code === 'EACCES' || code === 'EPERM') return upstreamUnavailable(this.id, 'permission denied', e);
    return upstreamUnavailable(this.id, `file read failed (${code ?? String(e)})`, e);
  }
}
