/**
 * Boot cost of chunk worker threads: N threads started from the tsx bootstrap and from the esbuild bundle, each until
 * it answers its first message, side by side in alternating rounds; and the bundle build itself, cold (empty cache,
 * esbuild's service started) and cached. Every measurement runs in a fresh process.
 *   node --import tsx bench/thread-boot.ts [--threads 2] [--rounds 5]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { DEFAULT_BUNDLE_DIR, threadEntry, TSX_BOOT } from '../src/executor/thread-entry.ts';
import { bundleWorkerEntry } from '../src/executor/worker-bundle.ts';

const self = fileURLToPath(import.meta.url);
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { threads: { type: 'string', default: '2' }, rounds: { type: 'string', default: '5' } },
});

type Variant = 'tsx' | 'bundle';
interface Boot {
  wallMs: number;
  cpuMs: number;
  rssMbPerThread: number;
}

/** CPU time of this process's reaped children (esbuild's service), in ms. */
function childCpuMs(): number {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[13]) + Number(f[14])) * 10;
}

async function bootThreads(variant: Variant, n: number): Promise<Boot> {
  const url = variant === 'tsx' ? TSX_BOOT : (await threadEntry({ bundle: true })).url;
  globalThis.gc?.();
  const rss0 = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const workers = await Promise.all(
    Array.from({ length: n }, () => {
      const w = new Worker(url, {
        workerData: { storageUrl: path.join(mkdtempSync('/tmp/boot-'), 'results'), s3: { region: 'us-east-1', forcePathStyle: true } },
        execArgv: [],
        resourceLimits: { maxYoungGenerationSizeMb: 16 },
      });
      // a run without its plan: answered (with an error) once the thread's modules are loaded
      return new Promise<Worker>((resolve, reject) => {
        w.once('message', () => resolve(w));
        w.once('error', reject);
        w.postMessage({ type: 'run', id: 1, planId: 'none', task: {} });
      });
    }),
  );
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const rssMbPerThread = (process.memoryUsage().rss - rss0) / n / 2 ** 20;
  await Promise.all(workers.map((w) => w.terminate()));
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, rssMbPerThread };
}

async function timeBuild(cacheDir: string) {
  const c0 = childCpuMs();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const { built } = await bundleWorkerEntry({ entry: fileURLToPath(new URL('../src/executor/chunk-worker.ts', import.meta.url)), cacheDir });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { built, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 + childCpuMs() - c0 };
}

const child = (args: string[]) => JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--expose-gc', self, ...args], { encoding: 'utf8' }));

if (positionals[0] === 'boot') {
  process.stdout.write(JSON.stringify(await bootThreads(positionals[1] as Variant, Number(positionals[2]))));
} else if (positionals[0] === 'build') {
  process.stdout.write(JSON.stringify(await timeBuild(positionals[1])));
} else {
  const n = Number(values.threads);
  const rounds = Number(values.rounds);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const log = (s: string) => process.stdout.write(s + '\n');
  await threadEntry({ bundle: true, cacheDir: DEFAULT_BUNDLE_DIR }); // the bundle runs below come from the cache

  type Build = Awaited<ReturnType<typeof timeBuild>>;
  const builds: { cold: Build; cached: Build }[] = [];
  for (let r = 0; r < rounds; r++) {
    const dir = mkdtempSync(path.join(DEFAULT_BUNDLE_DIR, 'bench-'));
    builds.push({ cold: child(['build', dir]), cached: child(['build', dir]) });
    rmSync(dir, { recursive: true, force: true });
  }
  log(`bundle build, median of ${rounds} fresh processes (CPU includes esbuild's process):`);
  for (const k of ['cold', 'cached'] as const) {
    if (builds.some((b) => b[k].built !== (k === 'cold'))) throw new Error(`a ${k} build was not ${k}`);
    log(`  ${k.padEnd(7)} ${median(builds.map((b) => b[k].wallMs)).toFixed(0)} ms wall, ${median(builds.map((b) => b[k].cpuMs)).toFixed(0)} ms CPU`);
  }

  const variants: Variant[] = ['tsx', 'bundle'];
  const runs = new Map<Variant, Boot[]>(variants.map((v) => [v, []]));
  for (let r = 0; r < rounds; r++) for (const v of variants) runs.get(v)!.push(child(['boot', v, String(n)]));
  log(`booting ${n} threads until each answers, median of ${rounds} rounds:`);
  for (const v of variants) {
    const b = runs.get(v)!;
    log(
      `  ${v.padEnd(15)} ${median(b.map((x) => x.wallMs)).toFixed(0).padStart(5)} ms wall  ${median(b.map((x) => x.cpuMs)).toFixed(0).padStart(5)} ms CPU  ` +
        `${median(b.map((x) => x.rssMbPerThread)).toFixed(1).padStart(5)} MB RSS per thread`,
    );
  }
}
