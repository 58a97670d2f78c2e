/** The speckle texture of the demo likelihood band: value domains, per-pixel variation, determinism, and wiring. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { demoDataCommand } from '../../src/cli/demo-data.ts';
import { loadConfig } from '../../src/config.ts';
import { type BlockBuffers, NODATA, blockBuffers, renderBlock } from '../../src/demo-data/flood-model.ts';
import { generateDemoData, planDemo } from '../../src/demo-data/index.ts';
import { mulberry32, mulberry32Words } from '../../src/demo-data/prng.ts';
import type { DemoTexture } from '../../src/demo-data/speckle.ts';

const root = mkdtempSync(join(tmpdir(), 'demo-speckle-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('mulberry32Words gives the draws of mulberry32 as 32-bit integers', () => {
  const words = new Uint32Array(1000);
  mulberry32Words(1234, words);
  const rng = mulberry32(1234);
  for (const w of words) assert.equal(w, rng() * 2 ** 32);
});

// A 512-px block of the small plan that the swath covers and that has both flooded and dry pixels.
const plan = planDemo('small', 42);
function render(texture: DemoTexture, seedOffset = 0): BlockBuffers {
  const acq = plan.acquisitions[0];
  const crop = acq.crops[0];
  const buf = blockBuffers(512 * 512, 512);
  for (let ty = 0; ty * 512 < crop.rows; ty++) {
    for (let tx = 0; tx * 512 < crop.cols; tx++) {
      const grid = { x0: crop.x0 + tx * 512 * 20, y0: crop.y0 - ty * 512 * 20, res: 20, width: 512, height: 512 };
      if (!renderBlock(plan.flood, acq.swath, acq.tau, acq.acquisitionSeed + seedOffset, grid, buf, texture)) continue;
      const flooded = buf.extent.filter((v) => v === 1).length;
      const dry = buf.extent.filter((v) => v === 0).length;
      if (flooded > 500 && dry > 20_000) return buf;
    }
  }
  throw new Error('no block with flooded and dry pixels in the first acquisition');
}

test('speckle keeps the extent and nodata, and draws dry pixels mostly 0–30 and flooded ones 50–100, per pixel', () => {
  const smooth = render('smooth');
  const speckle = render('speckle');
  assert.deepEqual(speckle.extent, smooth.extent);
  const dry: number[] = [];
  const flooded: number[] = [];
  let neighboursDiffer = 0;
  for (let i = 0; i < speckle.extent.length; i++) {
    const e = speckle.extent[i];
    const v = speckle.likelihood[i];
    if (e === NODATA) {
      assert.equal(v, NODATA);
      continue;
    }
    (e === 1 ? flooded : dry).push(v);
    if (i % 512 > 0 && speckle.extent[i - 1] === e && speckle.likelihood[i - 1] !== v) neighboursDiffer++;
  }
  assert.ok(dry.every((v) => v < 50) && flooded.every((v) => v >= 50 && v <= 100));
  const share = (a: number[], f: (v: number) => boolean) => a.filter(f).length / a.length;
  assert.ok(share(dry, (v) => v <= 30) > 0.95, 'dry mostly 0–30');
  assert.ok(share(dry, (v) => v === 0) < 0.05, 'dry pixels are not mostly 0 any more');
  assert.ok(share(smoothDry(smooth), (v) => v === 0) > 0.5, 'while the smooth texture is mostly 0 there');
  assert.ok(new Set(flooded).size > 20, `flooded values spread: ${new Set(flooded).size} distinct`);
  assert.ok(neighboursDiffer / (dry.length + flooded.length) > 0.8, 'neighbouring pixels differ');
});

const smoothDry = (b: BlockBuffers) => [...b.likelihood].filter((_, i) => b.extent[i] === 0);

test('speckle is deterministic and drawn per acquisition', () => {
  assert.deepEqual(render('speckle').likelihood, render('speckle').likelihood);
  const other = render('speckle', 1);
  const a = render('speckle');
  let same = 0;
  let both = 0;
  for (let i = 0; i < a.extent.length; i++) {
    if (a.extent[i] !== 0 || other.extent[i] !== 0) continue;
    both++;
    if (a.likelihood[i] === other.likelihood[i]) same++;
  }
  assert.ok(both > 10_000 && same / both < 0.2, `${same} of ${both} dry pixels equal`);
});

test('generateDemoData with speckle: same extent COGs as smooth, larger likelihood COGs, described as speckled', async () => {
  await generateDemoData({ size: 'small', outDir: join(root, 'smooth'), seed: 3 });
  await generateDemoData({ size: 'small', outDir: join(root, 'speckle'), seed: 3, texture: 'speckle' });
  const cogs = (dir: string) => readdirSync(join(root, dir, 'cogs'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.tif')).sort();
  assert.deepEqual(cogs('speckle'), cogs('smooth'));
  const size = (dir: string, band: string) =>
    cogs(dir).filter((f) => f.endsWith(`_${band}.tif`)).reduce((s, f) => s + readFileSync(join(root, dir, 'cogs', f)).length, 0);
  for (const f of cogs('smooth').filter((f) => f.endsWith('_ensemble_flood_extent.tif')))
    assert.ok(readFileSync(join(root, 'smooth', 'cogs', f)).equals(readFileSync(join(root, 'speckle', 'cogs', f))), f);
  assert.ok(size('speckle', 'ensemble_likelihood') > 5 * size('smooth', 'ensemble_likelihood'));
  const description = (dir: string) => JSON.parse(readFileSync(join(root, dir, 'collection.json'), 'utf8')).description as string;
  assert.match(description('speckle'), /speckle likelihood/);
  assert.doesNotMatch(description('smooth'), /speckle/);
});

test('the demo-data command refuses an unknown texture', async () => {
  const out = join(root, 'cli');
  const config = loadConfig({ DATA_DIR: root, LOG_LEVEL: 'silent' });
  const stderr = process.stderr.write;
  let message = '';
  process.stderr.write = ((s: string) => ((message += s), true)) as typeof process.stderr.write;
  try {
    assert.equal(await demoDataCommand(config, ['--size', 'small', '--texture', 'grainy', '--out', out]), 2);
  } finally {
    process.stderr.write = stderr;
  }
  assert.match(message, /--texture must be smooth or speckle, not 'grainy'/);
  assert.equal(existsSync(out), false);
});
