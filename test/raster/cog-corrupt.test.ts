import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { OpenEOError } from '../../src/errors.ts';
import { CogReader } from '../../src/raster/cog-reader.ts';
import { readWindow } from '../../src/raster/read-window.ts';
import { type Fixture, makeFixtures } from './fixtures.ts';
import { type FixtureServer, startFixtureServer } from './http-fixture.ts';

let dir: string;
let fixtures: Map<string, Fixture>;
let server: FixtureServer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cog-bad-'));
  fixtures = makeFixtures(dir, 1100, 700, ['u8_zstd', 'u16_zstd_pred', 'f64_deflate_fp', 'i16_deflate', 'u8_lzw', 'i16_none']);
  server = await startFixtureServer(dir);
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Asserts an UpstreamInvalid error whose message names the asset and matches `what`. */
const invalid = (name: string, what: RegExp) => (e: unknown) => {
  assert.ok(e instanceof OpenEOError, `expected OpenEOError, got ${e}`);
  assert.equal(e.code, 'UpstreamInvalid');
  assert.ok(e.message.includes(name), `message names ${name}: ${e.message}`);
  assert.match(e.message, what);
  return true;
};

/** Writes a damaged copy of a fixture and returns its path. */
function damaged(fixture: string, name: string, damage: (b: Buffer) => Buffer): string {
  const path = join(dir, `${name}.tif`);
  writeFileSync(path, damage(readFileSync(fixtures.get(fixture)!.path)));
  return path;
}

const fullWindow = { x0: 0, y0: 0, width: 1100, height: 700 };

describe('corrupt and truncated files give UpstreamInvalid naming the asset', () => {
  test('not a TIFF at all, empty file, header cut short', async () => {
    const reader = new CogReader();
    const garbage = damaged('u8_zstd', 'garbage', (b) => Buffer.from(b.map((_, i) => (i * 13) % 256)));
    await assert.rejects(reader.open(garbage), invalid('garbage.tif', /not a readable GeoTIFF/));
    const empty = damaged('u8_zstd', 'empty', () => Buffer.alloc(0));
    await assert.rejects(reader.open(empty), invalid('empty.tif', /not a readable GeoTIFF/));
    const cut = damaged('u8_zstd', 'cut-header', (b) => b.subarray(0, 120));
    await assert.rejects(reader.open(cut), invalid('cut-header.tif', /not a readable GeoTIFF/));
  });

  test('truncated inside the image data, over file and HTTP', async () => {
    for (const fixture of ['u8_zstd', 'u16_zstd_pred', 'f64_deflate_fp']) {
      const path = damaged(fixture, `${fixture}-trunc`, (b) => b.subarray(0, Math.floor(b.length * 0.6)));
      for (const href of [path, `${server.url}/${fixture}-trunc.tif`]) {
        const reader = new CogReader();
        const cog = await reader.open(href);
        const out = new (fixtures.get(fixture)!.band(0).constructor as Uint8ArrayConstructor)(1100 * 700);
        await assert.rejects(readWindow(cog, fullWindow, 0, out as never), invalid(`${fixture}-trunc.tif`, /truncated/));
      }
    }
  });

  test('corrupt compressed blocks (ZSTD, DEFLATE, LZW)', async () => {
    for (const fixture of ['u8_zstd', 'i16_deflate', 'u8_lzw']) {
      const reader = new CogReader();
      const cog = await reader.open(fixtures.get(fixture)!.path);
      const { tileOffsets, tileByteCounts } = cog.info;
      const path = damaged(fixture, `${fixture}-bad`, (b) => {
        const c = Buffer.from(b);
        // overwrite the start of every written block (frame magic / zlib header / first codes)
        tileOffsets.forEach((o, i) => tileByteCounts[i] > 0 && c.fill(0xff, o, o + Math.min(8, tileByteCounts[i])));
        return c;
      });
      const bad = await reader.open(path);
      const out = new (fixtures.get(fixture)!.band(0).constructor as Uint8ArrayConstructor)(1100 * 700);
      await assert.rejects(readWindow(bad, fullWindow, 0, out as never), invalid(`${fixture}-bad.tif`, /corrupt block/));
    }
  });

  test('block offsets pointing past the end read as truncated', async () => {
    const reader = new CogReader();
    const src = fixtures.get('i16_none')!.path;
    const path = join(dir, 'i16_none-copy.tif');
    copyFileSync(src, path);
    const cog = await reader.open(path);
    writeFileSync(path, readFileSync(src).subarray(0, cog.info.tileOffsets[0] + 10));
    await assert.rejects(readWindow(cog, fullWindow, 0, new Int16Array(1100 * 700)), invalid('i16_none-copy.tif', /truncated/));
  });

  test('missing assets', async () => {
    const reader = new CogReader();
    await assert.rejects(reader.open(join(dir, 'nope.tif')), invalid('nope.tif', /not found/));
    await assert.rejects(reader.open(`${server.url}/nope.tif`), invalid('nope.tif', /not found/));
  });
});
