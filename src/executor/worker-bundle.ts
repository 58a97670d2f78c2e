/**
 * The chunk worker threads' entry as plain ESM, bundled with esbuild from our TypeScript sources, so that a thread
 * boots without registering the tsx loader and transpiling every module itself (bench/thread-boot.ts, 2 threads:
 * ~0.34 instead of ~0.85 CPU-s and ~29 instead of ~62 MB RSS per thread; a build takes ~165 ms, a cache hit ~15 ms).
 *
 * Built on the fly rather than in a build step: tests and the CLI run from the sources, and a bundle that missed an
 * edit would silently run old code. A bundle is therefore named by a hash of the content of every file it was built
 * from; a manifest remembers that list, so a later start only re-hashes the files to find its bundle.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';

export interface BundleOptions {
  /** The module a thread starts with. */
  entry: string;
  /**
   * Where bundles are kept. Bare imports in a bundle resolve from here, so it must lie below the project's
   * `node_modules` (an unwritable one is fine if the bundle was built there before, e.g. in the image).
   */
  cacheDir: string;
}

export interface Bundle {
  /** The file a thread starts with. */
  url: URL;
  /** Whether this call built it (false: it was found in the cache). */
  built: boolean;
}

const ENTRY_FILE = 'entry.mjs';
/** Bundles not used for this long are removed when another one is built (edits during development pile them up). */
const PRUNE_AFTER_MS = 7 * 24 * 3600 * 1000;

/** What builds a bundle: this module (its build options) and esbuild's version. */
const builder = (): string =>
  `${readFileSync(fileURLToPath(import.meta.url), 'utf8')}\0esbuild ${(createRequire(import.meta.url)('esbuild/package.json') as { version: string }).version}\0`;

/** Names a bundle of `files` (path → content as built): the same inputs built the same way give the same name. */
export function bundleKey(files: ReadonlyMap<string, string>): string {
  const h = createHash('sha256').update(builder());
  for (const file of [...files.keys()].sort()) h.update(`${file}\0${files.get(file)}\0`);
  return h.digest('hex').slice(0, 32);
}

/** The bundle of `o.entry`, from the cache when none of its inputs changed since it was built, else built now. */
export async function bundleWorkerEntry(o: BundleOptions): Promise<Bundle> {
  const entry = path.resolve(o.entry);
  const manifest = path.join(o.cacheDir, `inputs-${createHash('sha256').update(entry).digest('hex').slice(0, 16)}.json`);
  const cached = await findCached(o.cacheDir, manifest);
  if (cached) return { url: cached, built: false };
  await mkdir(o.cacheDir, { recursive: true });
  const { key, outputs, inputs } = await build(entry, o.cacheDir);
  const dir = path.join(o.cacheDir, `worker-${key}`);
  const tmp = path.join(o.cacheDir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  await mkdir(tmp);
  try {
    await Promise.all(outputs.map((f) => writeFile(path.join(tmp, f.name), f.contents)));
    // A rename is atomic: another process building the same key at once either loses (its copy is dropped) or wins.
    await rename(tmp, dir).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  const tmpManifest = `${tmp}.json`;
  await writeFile(tmpManifest, JSON.stringify(inputs));
  await rename(tmpManifest, manifest);
  await prune(o.cacheDir, dir);
  return { url: pathToFileURL(path.join(dir, ENTRY_FILE)), built: true };
}

async function findCached(cacheDir: string, manifest: string): Promise<URL | undefined> {
  let inputs: unknown;
  try {
    inputs = JSON.parse(await readFile(manifest, 'utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(inputs) || !inputs.every((f) => typeof f === 'string')) return undefined;
  // The files an entry pulls in follow from their content, so unchanged content means the same set of files.
  const files = new Map<string, string>();
  try {
    await Promise.all(inputs.map(async (f) => files.set(f, await readFile(f, 'utf8'))));
  } catch {
    return undefined; // a file was removed or renamed
  }
  const dir = path.join(cacheDir, `worker-${bundleKey(files)}`);
  try {
    await stat(path.join(dir, ENTRY_FILE));
  } catch {
    return undefined;
  }
  const now = new Date();
  await utimes(dir, now, now).catch(() => {}); // in use (see prune); a read-only cache is fine
  return pathToFileURL(path.join(dir, ENTRY_FILE));
}

interface Output {
  name: string;
  contents: Uint8Array;
}

/** esbuild's service is one child process per process: stopped when the last build running in this process ends. */
let building = 0;

async function build(entry: string, cacheDir: string): Promise<{ key: string; outputs: Output[]; inputs: string[] }> {
  const esbuild = await import('esbuild');
  // Hashed as read here (not re-read afterwards), so that an edit during the build cannot label an older bundle.
  const sources = new Map<string, string>();
  const plugin: Plugin = {
    name: 'record-sources',
    setup(b) {
      b.onLoad({ filter: /\.(ts|mts|js|mjs|json)$/ }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        sources.set(args.path, text);
        const ext = path.extname(args.path);
        // Each module keeps its own location, as when run from source (paths relative to it, createRequire).
        const own = { url: pathToFileURL(args.path).href, dirname: path.dirname(args.path), filename: args.path };
        const contents = text.replace(/\bimport\.meta\.(url|dirname|filename)\b/g, (_, k: keyof typeof own) => JSON.stringify(own[k]));
        return { contents, loader: ext === '.json' ? 'json' : ext.endsWith('ts') ? 'ts' : 'js' };
      });
    },
  };
  building++;
  try {
    const cwd = path.dirname(entry);
    const result = await esbuild.build({
      entryPoints: [entry],
      absWorkingDir: cwd,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // Packages stay imports, resolved by Node from the bundle's place below node_modules.
      packages: 'external',
      // Lazily imported modules (the HTTP guard and undici behind it) stay lazy in their own files.
      splitting: true,
      outdir: path.join(cacheDir, 'worker-out'),
      entryNames: ENTRY_FILE.replace(/\.mjs$/, ''),
      chunkNames: '[name]-[hash]',
      outExtension: { '.js': '.mjs' },
      // No source maps: Node parses them at load when enabled (measured: ~80 ms CPU and ~6 MB per thread, a quarter of
      // the boot). Stacks of a thread's errors point into the bundle, where names are kept and each module's part
      // starts with a comment naming its source file.
      // The project's tsconfig.json is not an input of the key: the options that change the output are fixed here.
      tsconfigRaw: { compilerOptions: { useDefineForClassFields: true, verbatimModuleSyntax: false } },
      plugins: [plugin],
      metafile: true,
      write: false,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs).map((f) => path.resolve(cwd, f));
    const missed = inputs.filter((f) => !sources.has(f));
    if (missed.length > 0) throw new Error(`bundle inputs not recorded for its cache key: ${missed.join(', ')}`);
    const outputs = result.outputFiles.map((f) => ({ name: path.basename(f.path), contents: f.contents }));
    return { key: bundleKey(new Map(inputs.map((f) => [f, sources.get(f)!]))), outputs, inputs };
  } finally {
    if (--building === 0) await esbuild.stop();
  }
}

/**
 * Keeps a bundle in use from being pruned by other processes (pruning goes by the folder's date): its folder is
 * touched now and twice a day until `stop`. Threads load some of its files lazily, long after they started.
 */
export function keepBundleFresh(entryUrl: URL): () => void {
  const dir = path.dirname(fileURLToPath(entryUrl));
  const touch = () => {
    const now = new Date();
    utimes(dir, now, now).catch(() => {}); // a read-only cache is fine
  };
  touch();
  const timer = setInterval(touch, PRUNE_AFTER_MS / 14);
  timer.unref();
  return () => clearInterval(timer);
}

async function prune(cacheDir: string, keep: string): Promise<void> {
  const now = Date.now();
  for (const name of await readdir(cacheDir).catch(() => [])) {
    const p = path.join(cacheDir, name);
    if (p === keep || !name.startsWith('worker-')) continue;
    const s = await stat(p).catch(() => undefined);
    if (s && now - s.mtimeMs > PRUNE_AFTER_MS) await rm(p, { recursive: true, force: true }).catch(() => {});
  }
}
