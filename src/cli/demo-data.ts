import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { DEMO_TEXTURES, createProgressBar, generateDemoData, type DemoSize, type DemoTexture } from '../demo-data/index.ts';

/** Default place of the demo GFM collection; collections/demo.json points there through `${dataDir}`. */
export const demoDir = (config: Config): string => path.join(config.dataDir, 'demo', 'gfm');

/** `demo-data [--size small|medium|large] [--out DIR] [--seed N] [--compression zstd|deflate] [--texture smooth|speckle]` */
export async function demoDataCommand(config: Config, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      size: { type: 'string', default: 'medium' },
      out: { type: 'string' },
      seed: { type: 'string', default: '42' },
      compression: { type: 'string', default: 'zstd' },
      texture: { type: 'string', default: 'smooth' },
    },
  });
  const size = values.size as DemoSize;
  if (!['small', 'medium', 'large'].includes(size)) {
    process.stderr.write(`--size must be small, medium or large, not '${values.size}'.\n`);
    return 2;
  }
  if (values.compression !== 'zstd' && values.compression !== 'deflate') {
    process.stderr.write(`--compression must be zstd or deflate.\n`);
    return 2;
  }
  const texture = values.texture as DemoTexture;
  if (!DEMO_TEXTURES.includes(texture)) {
    process.stderr.write(`--texture must be ${DEMO_TEXTURES.join(' or ')}, not '${values.texture}'.\n`);
    return 2;
  }
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) {
    process.stderr.write('--seed must be an integer.\n');
    return 2;
  }
  const outDir = path.resolve(values.out ?? demoDir(config));
  const bar = createProgressBar({ write: (s) => process.stderr.write(s), tty: process.stderr.isTTY });
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort(new Error('interrupted')));
  const started = Date.now();
  const result = await generateDemoData({
    size,
    outDir,
    seed,
    compression: values.compression,
    texture,
    signal: controller.signal,
    onProgress: (p) => bar.update(p.fraction, p.item),
  });
  bar.done();
  process.stdout.write(
    `Wrote ${result.items} items (${result.timestamps} time steps, tiles ${result.tiles.join(', ')}, ` +
      `${(result.bytes / 1e6).toFixed(1)} MB) to ${result.outDir} in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`,
  );
  return 0;
}
