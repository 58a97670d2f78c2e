/**
 * The zarrita store and geotiff.js source adapters over both stores; the local Zarr v2 array is also read by
 * Debian's python3-zarr as an independent reader.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { GeoTIFF, writeArrayBuffer } from 'geotiff';
import * as zarr from 'zarrita';
import { LocalObjectStore, openGeoTiffSource, toZarrStore, type ObjectStore } from '../../src/storage/index.ts';
import { openS3TestStore } from './s3-env.ts';

const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

function adapterSuite(name: string, open: () => Promise<ObjectStore>, close: (s: ObjectStore) => Promise<void>, python = false): void {
  describe(`adapters over ${name}`, () => {
    let store: ObjectStore;
    before(async () => {
      store = await open();
    });
    after(async () => {
      if (store) await close(store);
    });

    test('zarrita writes and reads a Zarr v2 array through the store', async () => {
      const zstore = toZarrStore(store, 'out/result.zarr');
      await zstore.set('/.zgroup', json({ zarr_format: 2 }));
      await zstore.set('/band/.zarray', json({
        zarr_format: 2,
        shape: [4, 6],
        chunks: [2, 4],
        dtype: '<u2',
        compressor: null,
        fill_value: 0,
        order: 'C',
        filters: null,
      }));
      await zstore.set('/band/.zattrs', json({ _ARRAY_DIMENSIONS: ['y', 'x'] }));
      const arr = await zarr.open.v2(zarr.root(zstore).resolve('band'), { kind: 'array' });
      const values = Uint16Array.from({ length: 24 }, (_, i) => i * 100 + 1);
      await zarr.set(arr, null, { data: values, shape: [4, 6], stride: [6, 1] });
      // Chunk keys land under the prefix, named the v2 way.
      const keys: string[] = [];
      for await (const e of store.list('out/result.zarr/band/')) keys.push(e.key.slice('out/result.zarr/band/'.length));
      assert.deepEqual(keys.sort(), ['.zarray', '.zattrs', '0.0', '0.1', '1.0', '1.1']);

      const reopened = await zarr.open.v2(zarr.root(toZarrStore(store, 'out/result.zarr')).resolve('band'), { kind: 'array' });
      const all = await zarr.get(reopened, null);
      assert.deepEqual(Array.from(all.data as Uint16Array), Array.from(values));
      const window = await zarr.get(reopened, [zarr.slice(1, 3), zarr.slice(3, 5)]);
      assert.deepEqual(Array.from(window.data as Uint16Array), [901, 1001, 1501, 1601]);
      assert.deepEqual(await zstore.get('/band/9.9'), undefined);

      if (python && store instanceof LocalObjectStore) {
        const { stdout } = await promisify(execFile)('/usr/bin/python3', [
          '-c',
          'import json, sys, zarr; g = zarr.open_group(sys.argv[1], mode="r"); print(json.dumps(g["band"][:].tolist()))',
          path.join(store.root, 'out', 'result.zarr'),
        ]);
        assert.deepEqual(JSON.parse(stdout).flat(), Array.from(values));
      }
    });

    test('zarrita creates a v3 array through the store and reads it back, including ranges', async () => {
      const zstore = toZarrStore(store, 'v3.zarr');
      const arr = await zarr.create(zarr.root(zstore).resolve('a'), { shape: [3, 5], chunkShape: [2, 5], dtype: 'float32' });
      const values = Float32Array.from({ length: 15 }, (_, i) => i / 2);
      await zarr.set(arr, null, { data: values, shape: [3, 5], stride: [5, 1] });
      const back = await zarr.open.v3(zarr.root(zstore).resolve('a'), { kind: 'array' });
      assert.deepEqual(Array.from((await zarr.get(back, null)).data as Float32Array), Array.from(values));
      const range = await zstore.getRange('/a/zarr.json', { suffixLength: 2 });
      assert.equal(range?.byteLength, 2);
    });

    test('geotiff.js reads a GeoTIFF through the ranged source', async () => {
      const width = 300;
      const height = 200;
      const values = Uint16Array.from({ length: width * height }, (_, i) => (i * 7) % 65_521);
      const tiff = writeArrayBuffer(values, { width, height, BitsPerSample: [16], SampleFormat: [1] });
      await store.put('cog/image.tif', new Uint8Array(tiff), { contentType: 'image/tiff' });
      const source = await openGeoTiffSource(store, 'cog/image.tif');
      assert.ok(source);
      assert.equal(source.fileSize, tiff.byteLength);
      const image = await (await GeoTIFF.fromSource(source)).getImage();
      assert.deepEqual([image.getWidth(), image.getHeight()], [width, height]);
      const win = (await image.readRasters({ window: [10, 20, 14, 22], interleave: true })) as Uint16Array;
      const expected: number[] = [];
      for (let y = 20; y < 22; y++) for (let x = 10; x < 14; x++) expected.push(values[y * width + x]);
      assert.deepEqual(Array.from(win), expected);
      assert.equal(await openGeoTiffSource(store, 'cog/missing.tif'), undefined);
    });
  });
}

adapterSuite(
  'a local folder',
  async () => new LocalObjectStore(path.join(await mkdtemp(path.join(tmpdir(), 'openeo-adapters-')), 'store')),
  async (s) => rm(path.dirname((s as LocalObjectStore).root), { recursive: true, force: true }),
  true,
);

adapterSuite('S3 (Swift s3api)', () => openS3TestStore(), async (s) => {
  await s.deletePrefix('');
  await s.close();
});
