/**
 * ObjectStore over a local folder: the embedded default. Writes go to a temporary file next to the target and are
 * renamed into place, so readers never see half-written objects. Keys are validated (keys.ts) and the resolved path
 * is checked to stay under the root, so no key can address a file outside it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { OpenEOError } from '../errors.ts';
import { validateKey, validatePrefix } from './keys.ts';
import {
  resolveRange,
  type GetOptions,
  type ListEntry,
  type ObjectInfo,
  type ObjectStore,
  type ObjectStream,
  type PutBody,
  type PutOptions,
} from './object-store.ts';

/** Temporary files carry this marker; keys containing a segment that starts with it are refused. */
const TEMP_MARK = '.~tmp-';

const MISSING = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);
const isMissing = (e: unknown): boolean => MISSING.has((e as NodeJS.ErrnoException)?.code ?? '');

function failure(op: string, key: string, e: unknown): OpenEOError {
  const code = (e as NodeJS.ErrnoException)?.code;
  const why = code ? `${code}: ${(e as Error).message}` : String(e);
  return new OpenEOError('StorageFailure', `Local storage ${op} of "${key}" failed (${why}).`, { cause: e });
}

export class LocalObjectStore implements ObjectStore {
  readonly url: string;
  readonly root: string;

  /** `root` must be absolute; it is created on the first write. */
  constructor(root: string) {
    if (!path.isAbsolute(root)) {
      throw new OpenEOError('StorageFailure', `Local storage root must be an absolute path, got ${JSON.stringify(root)}.`);
    }
    this.root = path.resolve(root);
    this.url = pathToFileURL(this.root).href;
  }

  /** The file path of a key; throws for keys that are invalid or would leave the root. */
  pathOf(key: string): string {
    const segments = validateKey(key);
    if (segments.some((s) => s.startsWith(TEMP_MARK))) {
      throw new OpenEOError('StorageFailure', `Invalid storage key ${JSON.stringify(key)}: "${TEMP_MARK}" is reserved.`);
    }
    const p = path.join(this.root, ...segments);
    // Belt and braces: validateKey already forbids '..' and absolute keys.
    if (!p.startsWith(this.root + path.sep)) {
      throw new OpenEOError('StorageFailure', `Invalid storage key ${JSON.stringify(key)}: outside the store.`);
    }
    return p;
  }

  private async openFile(key: string): Promise<{ fh: FileHandle; size: number; mtime: Date } | undefined> {
    const p = this.pathOf(key);
    let fh: FileHandle;
    try {
      fh = await open(p, 'r');
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw failure('read', key, e);
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) {
        await fh.close();
        return undefined;
      }
      return { fh, size: st.size, mtime: st.mtime };
    } catch (e) {
      await fh.close();
      throw failure('read', key, e);
    }
  }

  async get(key: string, options: GetOptions = {}, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    signal?.throwIfAborted();
    const file = await this.openFile(key);
    if (!file) return undefined;
    try {
      const { start, end } = resolveRange(options.range, file.size);
      const out = new Uint8Array(end - start);
      let done = 0;
      while (done < out.byteLength) {
        signal?.throwIfAborted();
        const { bytesRead } = await file.fh.read(out, done, out.byteLength - done, start + done);
        if (bytesRead === 0) break; // truncated concurrently: return what exists
        done += bytesRead;
      }
      return done === out.byteLength ? out : out.subarray(0, done);
    } catch (e) {
      if (signal?.aborted) throw e;
      throw failure('read', key, e);
    } finally {
      await file.fh.close();
    }
  }

  async getStream(key: string, options: GetOptions = {}, signal?: AbortSignal): Promise<ObjectStream | undefined> {
    signal?.throwIfAborted();
    const file = await this.openFile(key);
    if (!file) return undefined;
    const { start, end } = resolveRange(options.range, file.size);
    let body: Readable;
    if (end > start) {
      // `end` is inclusive here; the stream closes the handle when done or destroyed.
      body = file.fh.createReadStream({ start, end: end - 1, autoClose: true, signal });
    } else {
      await file.fh.close();
      body = Readable.from([]);
    }
    return {
      body,
      offset: start,
      length: end - start,
      size: file.size,
      etag: etagOf(file.size, file.mtime),
      lastModified: file.mtime,
    };
  }

  async head(key: string, signal?: AbortSignal): Promise<ObjectInfo | undefined> {
    signal?.throwIfAborted();
    try {
      const st = await stat(this.pathOf(key));
      if (!st.isFile()) return undefined;
      return { size: st.size, etag: etagOf(st.size, st.mtime), lastModified: st.mtime };
    } catch (e) {
      if (isMissing(e)) return undefined;
      if (e instanceof OpenEOError) throw e;
      throw failure('head', key, e);
    }
  }

  async put(key: string, body: PutBody, _options: PutOptions = {}, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const target = this.pathOf(key);
    const dir = path.dirname(target);
    const temp = path.join(dir, `${TEMP_MARK}${randomBytes(6).toString('hex')}`);
    let fh: FileHandle | undefined;
    try {
      await mkdir(dir, { recursive: true });
      fh = await open(temp, 'wx');
      if (body instanceof Uint8Array) {
        await fh.write(body);
      } else {
        for await (const chunk of body) {
          signal?.throwIfAborted();
          await fh.write(chunk);
        }
      }
      await fh.close();
      fh = undefined;
      signal?.throwIfAborted();
      await rename(temp, target);
    } catch (e) {
      await fh?.close().catch(() => {});
      await unlink(temp).catch(() => {});
      if (signal?.aborted) throw signal.reason;
      throw failure('write', key, e);
    }
  }

  async *list(prefix: string, signal?: AbortSignal): AsyncIterable<ListEntry> {
    validatePrefix(prefix);
    // Walk only the deepest folder the prefix names completely.
    const cut = prefix.lastIndexOf('/');
    const base = cut < 0 ? '' : prefix.slice(0, cut);
    yield* this.walk(base, prefix, signal);
  }

  private async *walk(dirKey: string, prefix: string, signal?: AbortSignal): AsyncGenerator<ListEntry> {
    signal?.throwIfAborted();
    const dir = dirKey === '' ? this.root : path.join(this.root, ...dirKey.split('/'));
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (isMissing(e)) return;
      throw failure('list', prefix, e);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith(TEMP_MARK)) continue;
      const key = dirKey === '' ? entry.name : `${dirKey}/${entry.name}`;
      if (entry.isDirectory()) {
        // Descend only where keys below can still match the prefix.
        const sub = `${key}/`;
        if (sub.startsWith(prefix) || prefix.startsWith(sub)) yield* this.walk(key, prefix, signal);
      } else if (entry.isFile() && key.startsWith(prefix)) {
        try {
          yield { key, size: (await stat(path.join(dir, entry.name))).size };
        } catch (e) {
          if (!isMissing(e)) throw failure('list', prefix, e); // deleted while listing: skip
        }
      }
    }
  }

  async deletePrefix(prefix: string, signal?: AbortSignal): Promise<number> {
    validatePrefix(prefix);
    let count = 0;
    const keys: string[] = [];
    for await (const { key } of this.list(prefix, signal)) keys.push(key);
    for (const key of keys) {
      signal?.throwIfAborted();
      await this.delete(key);
      count++;
    }
    // A folder prefix goes entirely, including temporary files and empty sub-folders.
    if (prefix.endsWith('/')) {
      const dir = path.join(this.root, ...prefix.slice(0, -1).split('/'));
      await rm(dir, { recursive: true, force: true }).catch((e) => {
        throw failure('delete', prefix, e);
      });
    }
    return count;
  }

  async delete(key: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    try {
      await unlink(this.pathOf(key));
    } catch (e) {
      // EISDIR/EPERM: the key names a folder, which is not an object.
      if (isMissing(e) || (e as NodeJS.ErrnoException).code === 'EPERM') return;
      if (e instanceof OpenEOError) throw e;
      throw failure('delete', key, e);
    }
  }

  async close(): Promise<void> {}
}

function etagOf(size: number, mtime: Date): string {
  return `"${size.toString(16)}-${Math.round(mtime.getTime()).toString(16)}"`;
}
