import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { loadConfig } from '../../src/config.ts';
import { DEFAULT_BUNDLE_DIR, threadEntry } from '../../src/executor/thread-entry.ts';
import { bundleKey, bundleWorkerEntry, keepBundleFresh } from '../../src/executor/worker-bundle.ts';

/** The first message a thread started from `url` (without any loader) posts, or its error. */
function firstMessage(url: URL | string, post?: unknown, eval_ = false): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const w = new Worker(url, { eval: eval_, execArgv: [], workerData: { storageUrl: tmpdir(), s3: { region: 'us-east-1', forcePathStyle: true } } });
    w.once('message', (m) => void w.terminate().then(() => resolve(m)));
    w.once('error', reject);
    if (post) w.postMessage(post);
  });
}

describe('worker bundle', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'worker-bundle-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const src = path.join(dir, 'src');
  const cacheDir = path.join(dir, 'cache');
  const entry = path.join(src, 'entry.ts');
  const write = (name: string, text: string) => writeFileSync(path.join(src, name), text);
  mkdirSync(src);

  it('is rebuilt when a source changes, and reused while none does', async () => {
    write('dep.ts', `export const value: number = 1;\nexport const where = [import.meta.url, import.meta.dirname];\n`);
    write('entry.ts', `import { parentPort } from 'node:worker_threads';\nimport { value, where } from './dep.ts';\nparentPort!.postMessage({ value, where });\n`);

    const first = await bundleWorkerEntry({ entry, cacheDir });
    assert.equal(first.built, true);
    assert.ok(fileURLToPath(first.url).startsWith(cacheDir + path.sep));
    // each module keeps its own URL, so paths computed from it still point into the sources
    assert.deepEqual(await firstMessage(first.url), { value: 1, where: [pathToFileURL(path.join(src, 'dep.ts')).href, src] });

    const again = await bundleWorkerEntry({ entry, cacheDir });
    assert.deepEqual(again, { url: first.url, built: false });

    write('dep.ts', `export const value: number = 2;\nexport const where = [import.meta.url, import.meta.dirname];\n`);
    const edited = await bundleWorkerEntry({ entry, cacheDir });
    assert.equal(edited.built, true);
    assert.notEqual(edited.url.href, first.url.href);
    assert.equal(((await firstMessage(edited.url)) as { value: number }).value, 2);

    // a file newly imported by an edited one is part of the next key too
    write('extra.ts', `export const more = 'a';\n`);
    write('entry.ts', `import { parentPort } from 'node:worker_threads';\nimport { value } from './dep.ts';\nimport { more } from './extra.ts';\nparentPort!.postMessage({ value, more });\n`);
    const grown = await bundleWorkerEntry({ entry, cacheDir });
    assert.equal(grown.built, true);
    write('extra.ts', `export const more = 'b';\n`);
    const extraEdited = await bundleWorkerEntry({ entry, cacheDir });
    assert.equal(extraEdited.built, true);
    assert.deepEqual(await firstMessage(extraEdited.url), { value: 2, more: 'b' });
  });

  it('keys on the content of every input', () => {
    const files = new Map([
      ['/p/a.ts', 'export const a = 1;'],
      ['/p/b.ts', 'export const b = 1;'],
    ]);
    const key = bundleKey(files);
    assert.equal(bundleKey(new Map([...files].reverse())), key);
    assert.notEqual(bundleKey(new Map([...files, ['/p/b.ts', 'export const b = 2;']])), key);
    assert.notEqual(bundleKey(new Map([...files, ['/p/c.ts', '']])), key);
    assert.notEqual(bundleKey(new Map([['/q/a.ts', files.get('/p/a.ts')!], ['/p/b.ts', files.get('/p/b.ts')!]])), key);
  });

  it('lets processes building the same bundle at once agree on one', async () => {
    const shared = path.join(dir, 'cache-race');
    const [a, b] = await Promise.all([bundleWorkerEntry({ entry, cacheDir: shared }), bundleWorkerEntry({ entry, cacheDir: shared })]);
    assert.equal(a.url.href, b.url.href);
    assert.deepEqual(await firstMessage(a.url), await firstMessage(b.url));
  });
});

describe('bundles in use', () => {
  it('stay fresh while a pool uses them, so that other processes do not prune them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bundle-fresh-'));
    try {
      const old = new Date(Date.now() - 30 * 24 * 3600 * 1000);
      utimesSync(dir, old, old);
      const stop = keepBundleFresh(pathToFileURL(path.join(dir, 'entry.mjs')));
      stop();
      // the touch is asynchronous; it lands within a moment
      const deadline = Date.now() + 2000;
      while (statSync(dir).mtimeMs < Date.now() - 60_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(statSync(dir).mtimeMs > Date.now() - 60_000, 'touched');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('chunk worker thread entry', () => {
  it('runs the chunk worker from its bundle, without the TypeScript loader', async () => {
    const e = await threadEntry({ bundle: true, warn: (m) => assert.fail(m) });
    assert.equal(e.kind, 'bundle');
    assert.ok(fileURLToPath(e.url).startsWith(DEFAULT_BUNDLE_DIR + path.sep) && e.url.pathname.endsWith('.mjs'));
    // a run without its plan is answered once the thread's modules are loaded
    const reply = (await firstMessage(e.url, { type: 'run', id: 7, planId: 'none', task: {} })) as { id: number; error: { message: string } };
    assert.equal(reply.id, 7);
    assert.match(reply.error.message, /unknown plan none/);
    // such a thread cannot load TypeScript: the reply above came from the bundle alone
    const source = new URL('../../src/executor/chunk-worker.ts', import.meta.url).href;
    await assert.rejects(firstMessage(`import(${JSON.stringify(source)})`, undefined, true), /Unknown file extension/);
  });

  it('boots through tsx, with a warning, when no bundle can be built', async () => {
    const warnings: string[] = [];
    const blocked = path.join(mkdtempSync(path.join(tmpdir(), 'bundle-blocked-')), 'file');
    writeFileSync(blocked, '');
    const e = await threadEntry({ bundle: true, cacheDir: path.join(blocked, 'cache'), warn: (m) => warnings.push(m) });
    assert.equal(e.kind, 'tsx');
    assert.match(warnings.join(), /could not bundle the chunk worker/);
    assert.equal(((await firstMessage(e.url, { type: 'run', id: 1, planId: 'none', task: {} })) as { id: number }).id, 1);
    rmSync(path.dirname(blocked), { recursive: true, force: true });
  });

  it('is the tsx bootstrap when bundling is off (CHUNK_WORKER_BUNDLE=0)', async () => {
    assert.equal(loadConfig({}).chunkWorkerBundle, true);
    assert.equal(loadConfig({ CHUNK_WORKER_BUNDLE: '0' }).chunkWorkerBundle, false);
    assert.equal((await threadEntry({ bundle: false })).kind, 'tsx');
  });
});
