/**
 * An S3 store that loads the AWS SDK at its first request: a process whose results go to a local folder, or that
 * never touches this store, does not pay for the SDK (~130 ms of CPU and ~20 MB in every process and thread).
 */
import type { GetOptions, ListEntry, ObjectInfo, ObjectStore, ObjectStream, PutBody, PutOptions } from './object-store.ts';
import { resolveS3Config, type ResolvedS3Config, type S3StoreConfig } from './s3-config.ts';
import type { S3ObjectStore } from './s3-store.ts';

export class LazyS3Store implements ObjectStore {
  readonly url: string;
  readonly config: Readonly<ResolvedS3Config>;
  private store: Promise<S3ObjectStore> | undefined;

  constructor(private readonly settings: S3StoreConfig) {
    // bad settings fail here, when the store is made, as with the store itself
    this.config = resolveS3Config(settings);
    this.url = `s3://${this.config.bucket}/${this.config.prefix}`;
  }

  private load(): Promise<S3ObjectStore> {
    return (this.store ??= import('./s3-store.ts').then((m) => new m.S3ObjectStore(this.settings)));
  }

  async get(key: string, options?: GetOptions, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    return (await this.load()).get(key, options, signal);
  }

  async getStream(key: string, options?: GetOptions, signal?: AbortSignal): Promise<ObjectStream | undefined> {
    return (await this.load()).getStream(key, options, signal);
  }

  async head(key: string, signal?: AbortSignal): Promise<ObjectInfo | undefined> {
    return (await this.load()).head(key, signal);
  }

  async put(key: string, body: PutBody, options?: PutOptions, signal?: AbortSignal): Promise<void> {
    return (await this.load()).put(key, body, options, signal);
  }

  async *list(prefix: string, signal?: AbortSignal): AsyncIterable<ListEntry> {
    yield* (await this.load()).list(prefix, signal);
  }

  async deletePrefix(prefix: string, signal?: AbortSignal): Promise<number> {
    return (await this.load()).deletePrefix(prefix, signal);
  }

  async delete(key: string, signal?: AbortSignal): Promise<void> {
    return (await this.load()).delete(key, signal);
  }

  async ensureBucket(signal?: AbortSignal): Promise<boolean> {
    return (await this.load()).ensureBucket(signal);
  }

  async close(): Promise<void> {
    if (this.store) await (await this.store).close();
  }
}
