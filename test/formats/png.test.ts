/**
 * PNG: colour tables against matplotlib's, images decoded by Pillow, and the quicklook writer assembling
 * downsampled chunks (local folder and S3 give the same image).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { colorTable, createQuicklookWriter, drawText, niceTicks, quicklookGeometry, renderFigure, renderPng, tickLabel } from '../../src/formats/png/index.ts';
import { makeCube, localAndS3Stores, tempStore, writeCube } from './fixtures.ts';
import { matplotlibTables, pillowDecode } from './oracles.ts';

describe('colour maps', () => {
  test('Reds, Blues and Greys match matplotlib to one level; viridis to a few', () => {
    const reference = matplotlibTables(['Reds', 'Blues', 'Greys', 'viridis']);
    for (const [name, tolerance] of [['Reds', 1], ['Blues', 1], ['Greys', 1], ['viridis', 4]] as const) {
      const ours = colorTable(name);
      let worst = 0;
      for (let i = 0; i < 768; i++) worst = Math.max(worst, Math.abs(ours[i] - reference[name][i]));
      assert.ok(worst <= tolerance, `${name}: largest difference ${worst}`);
    }
    assert.deepEqual([...colorTable('reds_r').subarray(0, 3)], [...colorTable('Reds').subarray(765, 768)]);
    assert.throws(() => colorTable('jet'), { code: 'ProcessParameterInvalid' });
  });
});

describe('renderPng', () => {
  const tmp = tempStore();
  after(() => tmp.cleanup());

  test('Pillow decodes colours by value range, nodata and NaN transparent, windows cropped', () => {
    const width = 40;
    const height = 30;
    const values = new Float32Array(width * height);
    for (let i = 0; i < values.length; i++) values[i] = (i % width) * 10;
    values[5] = -1; // nodata
    values[6] = NaN;
    const file = path.join(tmp.dir, 'a.png');
    writeFileSync(file, renderPng(values, width, height, { colormap: 'Reds', min: 0, max: 200, nodata: -1 }));
    const img = pillowDecode(file);
    assert.equal(img.mode, 'P', 'few colours: a palette image');
    assert.deepEqual(img.size, [width, height]);
    const table = colorTable('Reds');
    const px = (x: number, y: number) => [...img.rgba.subarray((y * width + x) * 4, (y * width + x) * 4 + 4)];
    assert.deepEqual(px(0, 1), [...table.subarray(0, 3), 255]);
    assert.deepEqual(px(10, 1), [...table.subarray(128 * 3, 129 * 3), 255], '100 of 0..200 is entry 128');
    assert.deepEqual(px(39, 1), [...table.subarray(765, 768), 255], 'above max clamps to the last colour');
    assert.equal(px(5, 0)[3], 0);
    assert.equal(px(6, 0)[3], 0);

    const cropped = path.join(tmp.dir, 'b.png');
    writeFileSync(cropped, renderPng(values, width, height, { colormap: 'Greys', window: { x0: 10, y0: 5, width: 5, height: 4 } }));
    const crop = pillowDecode(cropped);
    assert.deepEqual(crop.size, [5, 4]);
    // Auto range over the window (100..140): the first column is the first colour, the last the last one.
    assert.deepEqual([...crop.rgba.subarray(0, 4)], [255, 255, 255, 255]);
    assert.deepEqual([...crop.rgba.subarray(16, 20)], [0, 0, 0, 255]);
    assert.throws(() => renderPng(values, width, height, { window: { x0: 38, y0: 0, width: 5, height: 1 } }), { code: 'ProcessParameterInvalid' });
  });

  test('±Infinity (a division by zero) takes the end colours; the automatic range comes from the finite values', () => {
    const values = Float32Array.of(Infinity, 0, 50, 100, -Infinity, NaN);
    const file = path.join(tmp.dir, 'inf.png');
    writeFileSync(file, renderPng(values, 6, 1, { colormap: 'Reds' }));
    const img = pillowDecode(file);
    const table = colorTable('Reds');
    const px = (x: number) => [...img.rgba.subarray(x * 4, x * 4 + 4)];
    assert.deepEqual(px(0), [...table.subarray(765, 768), 255]);
    assert.deepEqual(px(1), [...table.subarray(0, 3), 255], 'range 0..100 from the finite values');
    assert.deepEqual(px(3), [...table.subarray(765, 768), 255]);
    assert.deepEqual(px(4), [...table.subarray(0, 3), 255]);
    assert.equal(px(5)[3], 0);
  });

  test('every colour of the table and transparency (257 entries) fall back to RGBA with the same pixels', () => {
    const values = Float64Array.from({ length: 300 }, (_, i) => (i === 299 ? NaN : i % 256));
    const table = colorTable('viridis');
    for (const [name, n] of [['full', 300], ['palette', 200]] as const) {
      const file = path.join(tmp.dir, `${name}.png`);
      writeFileSync(file, renderPng(values.subarray(300 - n), n, 1, { min: 0, max: 256 }));
      const img = pillowDecode(file);
      assert.equal(img.mode, name === 'full' ? 'RGBA' : 'P');
      for (let x = 0; x < n; x++) {
        const v = values[300 - n + x];
        const want = Number.isNaN(v) ? [0, 0, 0, 0] : [...table.subarray(v * 3, v * 3 + 3), 255];
        assert.deepEqual([...img.rgba.subarray(x * 4, x * 4 + 4)], want, `${name} pixel ${x}`);
      }
    }
  });
});

describe('figure', () => {
  const tmp = tempStore();
  after(() => tmp.cleanup());

  test('ticks are round numbers in the native CRS; the 5x7 font draws glyphs', () => {
    assert.deepEqual(niceTicks(4_800_000, 4_814_000), [4_800_000, 4_805_000, 4_810_000]);
    assert.deepEqual(niceTicks(1_500_000, 1_490_000), [1_490_000, 1_492_000, 1_494_000, 1_496_000, 1_498_000, 1_500_000]);
    assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.equal(tickLabel(0.6000000001, 0.2), '0.6');
    const canvas = new Uint8Array(6 * 7 * 4);
    drawText(canvas, 6, 0, 0, '1', 1, [0, 0, 0]);
    const rows = Array.from({ length: 7 }, (_, y) => Array.from({ length: 5 }, (_, x) => (canvas[(y * 6 + x) * 4 + 3] ? '1' : '0')).join(''));
    assert.deepEqual(rows, ['00100', '01100', '00100', '00100', '00100', '00100', '01110']);
  });

  test('map, frame, title and colour bar land where expected', () => {
    const cube = makeCube({ variables: [{ name: 'flood', dtype: 'uint8', nodata: 255 }] });
    const file = path.join(tmp.dir, 'fig.png');
    writeFileSync(file, renderFigure(cube.full.flood, 700, 500, { colormap: 'Reds', min: 0, max: 200, nodata: 255, title: 'Flood', transform: cube.meta.grid.transform }));
    const img = pillowDecode(file);
    const [w, h] = img.size;
    assert.ok(w > 700 && h > 500 && w < 1000 && h < 620, `size ${w}x${h}`);
    const px = (x: number, y: number) => [...img.rgba.subarray((y * w + x) * 4, (y * w + x) * 4 + 3)];
    // The frame's top edge is the first row with a black run as wide as the map.
    const black = (x: number, y: number) => px(x, y).every((c) => c === 0);
    let x0 = -1;
    let y0 = -1;
    for (let y = 0; y < h && y0 < 0; y++) {
      let run = 0;
      for (let x = 0; x < w; x++) {
        run = black(x, y) ? run + 1 : 0;
        if (run === 702) (x0 = x - 700), (y0 = y + 1);
      }
    }
    assert.ok(y0 > 0, 'frame found');
    const table = colorTable('Reds');
    const v = cube.full.flood[1];
    const idx = Math.floor((v * 256) / 200);
    assert.deepEqual(px(x0 + 1, y0), [...table.subarray(idx * 3, idx * 3 + 3)], 'map pixel 1,0');
    const titleRows = Array.from({ length: y0 - 1 }, (_, y) => y).filter((y) => Array.from({ length: w }, (_, x) => px(x, y)).some((p) => p.every((c) => c === 0)));
    assert.ok(titleRows.length >= 10, 'title text above the map');
  });
});

describe('quicklook writer', () => {
  const stores = localAndS3Stores();
  const { tmp } = stores;

  test('one overview PNG per variable from downsampled chunks; the last time step of a cube with time', async () => {
    const cube = makeCube({ time: ['2023-01-01', '2023-01-13', '2023-01-25'], variables: [{ name: 'flood', dtype: 'uint8', nodata: 255 }, { name: 'depth', dtype: 'float32', nodata: -9999 }] });
    const options = { maxSize: 100, colormap: 'Reds', min: 0, max: 200 };
    assert.throws(() => createQuicklookWriter(tmp.store, 'job', { ...options, min: 201 }), { code: 'ProcessParameterInvalid', message: /min <= max/ });
    const assets = await writeCube(createQuicklookWriter(tmp.store, 'job', options), cube);
    assert.deepEqual(assets.map((a) => [a.path, a.type, a.roles]), [
      ['quicklook-flood.png', 'image/png', ['overview']],
      ['quicklook-depth.png', 'image/png', ['overview']],
    ]);
    assert.ok(!existsSync(path.join(tmp.dir, 'job/.staging/quicklook-png')), 'staging removed');
    const g = quicklookGeometry(cube.meta, 100);
    assert.deepEqual(g, { factor: 7, width: 100, height: 72 });
    const img = pillowDecode(path.join(tmp.dir, 'job/quicklook-flood.png'));
    assert.deepEqual(img.size, [100, 72]);
    const table = colorTable('Reds');
    const last = 2 * 700 * 500;
    let transparent = 0;
    for (let r = 0; r < g.height; r++) {
      for (let c = 0; c < g.width; c++) {
        const v = cube.full.flood[last + r * 7 * 700 + c * 7];
        const got = [...img.rgba.subarray((r * g.width + c) * 4, (r * g.width + c) * 4 + 4)];
        if (v === 255) {
          assert.equal(got[3], 0);
          transparent++;
        } else {
          const idx = Math.min(255, Math.floor((v * 256) / 200));
          assert.deepEqual(got, [...table.subarray(idx * 3, idx * 3 + 3), 255], `pixel ${c},${r}`);
        }
      }
    }
    assert.ok(transparent > 100, 'the nodata block shows through');

    // The same chunks through S3 give the same images.
    await writeCube(createQuicklookWriter(stores.s3, 'job', options), cube);
    const keys: string[] = [];
    for await (const e of stores.s3.list('job/')) keys.push(e.key);
    assert.deepEqual(keys.sort(), ['job/quicklook-depth.png', 'job/quicklook-flood.png']);
    for (const k of keys) assert.ok(Buffer.from((await stores.s3.get(k))!).equals(readFileSync(path.join(tmp.dir, k))), k);
  });
});
