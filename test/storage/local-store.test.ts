import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { OpenEOError } from '../../src/errors.ts';
import { LocalObjectStore } from '../../src/storage/index.ts';
import { storeContract } from './contract.ts';

const tempRoot = () => mkdtemp(path.join(tmpdir(), 'openeo-store-'));

storeContract('local folder', {
  open: async () => new LocalObjectStore(path.join(await tempRoot(), 'store')),
  close: async (store) => rm(path.dirname((store as LocalObjectStore).root), { recursive: true, force: true }),
});

describe('LocalObjectStore stays inside its root', () => {
  let base: string;
  let store: LocalObjectStore;
  before(async () => {
    base = await tempRoot();
    store = new LocalObjectStore(path.join(base, 'root'));
    await writeFile(path.join(base, 'secret.txt'), 'outside');
  });
  after(() => rm(base, { recursive: true, force: true }));

  test('traversal keys are refused for every operation', async () => {
    const attempts = ['../secret.txt', 'a/../../secret.txt', '..', '/etc/passwd', '/../secret.txt', `..${path.sep}secret.txt`, 'a/..', '.'];
    for (const key of attempts) {
      const refused = (e: unknown) => e instanceof OpenEOError && e.code === 'StorageFailure' && /Invalid storage key/.test(e.message);
      await assert.rejects(store.get(key), refused, key);
      await assert.rejects(store.head(key), refused, key);
      await assert.rejects(store.getStream(key), refused, key);
      await assert.rejects(store.put(key, new Uint8Array([1])), refused, key);
      await assert.rejects(store.delete(key), refused, key);
    }
    await assert.rejects(store.deletePrefix('../'), OpenEOError);
    await assert.rejects(store.deletePrefix('a/../../'), OpenEOError);
    // Nothing outside the root was touched or created.
    assert.deepEqual((await readdir(base)).sort(), ['secret.txt']);
  });

  test('pathOf maps keys below the root only', () => {
    assert.equal(store.pathOf('a/b.txt'), path.join(base, 'root', 'a', 'b.txt'));
    assert.throws(() => store.pathOf('a/../b'), OpenEOError);
  });

  test('relative roots are refused', () => {
    assert.throws(() => new LocalObjectStore('relative/dir'), /absolute/);
  });

  test('temporary files of unfinished writes are invisible and their names are reserved', async () => {
    await mkdir(path.join(store.root, 'w'), { recursive: true });
    await writeFile(path.join(store.root, 'w', '.~tmp-abc'), 'partial');
    await store.put('w/done', new Uint8Array([1, 2]));
    const keys: string[] = [];
    for await (const e of store.list('w/')) keys.push(e.key);
    assert.deepEqual(keys, ['w/done']);
    await assert.rejects(store.get('w/.~tmp-abc'), /reserved/);
    // A failed write leaves no temporary file behind.
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array([1]);
      throw new Error('source broke');
    }
    await assert.rejects(store.put('w/broken', failing()), /source broke/);
    assert.deepEqual((await readdir(path.join(store.root, 'w'))).sort(), ['.~tmp-abc', 'done']);
    assert.equal(await store.head('w/broken'), undefined);
  });

  test('a folder prefix is removed entirely', async () => {
    await store.put('job/1/a', new Uint8Array([1]));
    await store.put('job/1/sub/b', new Uint8Array([1]));
    assert.equal(await store.deletePrefix('job/1/'), 2);
    assert.deepEqual(await readdir(path.join(store.root, 'job')), []);
  });
});
