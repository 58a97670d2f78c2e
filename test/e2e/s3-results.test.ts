import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createApp } from '../../src/app.ts';
import { generateDemoData } from '../../src/demo-data/index.ts';
import { ensureBucket } from '../../src/storage/index.ts';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.ts';
import { BBOX, floodJob, REFERENCE_SCRIPT, runJob } from './flood-helpers.ts';

const S3 = {
  endpoint: process.env.S3_ENDPOINT ?? 'http://127.0.0.1:9000',
  key: process.env.S3_ACCESS_KEY_ID ?? 'test:tester',
  secret: process.env.S3_SECRET_ACCESS_KEY ?? 'testing',
};
const BUCKET = 'openeo-e2e-results';
// Asynchronous on purpose: the server answering these tools runs in this very process.
const run = async (cmd: string, args: string[], env?: NodeJS.ProcessEnv) =>
  (await promisify(execFile)(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 24, ...(env ? { env } : {}) })).stdout;

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

describe('flood results in S3, read back over signed URLs and /vsis3/', () => {
  let t: TestApp;
  let token: string;
  let server: Server;
  let prefix: string;
  before(async () => {
    const port = await freePort();
    prefix = `run-${randomBytes(4).toString('hex')}`;
    t = await createTestApp({
      runJobs: true,
      env: {
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        STORAGE_URL: `s3://${BUCKET}/${prefix}`,
        S3_ENDPOINT: S3.endpoint,
        S3_ACCESS_KEY_ID: S3.key,
        S3_SECRET_ACCESS_KEY: S3.secret,
        S3_FORCE_PATH_STYLE: 'true',
        CHUNK_THREADS: '2',
      },
    });
    await ensureBucket(t.ctx.store);
    await generateDemoData({ size: 'small', outDir: path.join(t.dataDir, 'demo', 'gfm') });
    token = await t.login('s3user');
    server = await new Promise<Server>((resolve) => {
      const s = createApp(t.ctx).listen(port, '127.0.0.1', () => resolve(s));
    });
  });
  after(async () => {
    server?.close();
    await t.ctx.store.deletePrefix('').catch(() => {});
    await t.close();
  });

  it('xarray opens the signed Zarr URL over plain HTTP and sees the reference pixels', async () => {
    const { results } = await runJob(t, token, floodJob('gfm-flood-monthly.json'));
    const href = results.assets['result.zarr'].href;
    assert.match(href, /^http:\/\/127\.0\.0\.1:\d+\/results\//);
    const out = await run('/usr/bin/python3', [REFERENCE_SCRIPT, path.join(t.dataDir, 'demo', 'gfm'), String(BBOX.west), String(BBOX.south), String(BBOX.east), String(BBOX.north), '2023-08-01', '2023-09-01', href]);
    const report = JSON.parse(out);
    for (const band of ['ensemble_flood_extent', 'ensemble_likelihood']) {
      assert.equal(report[band].mismatches, 0, `${band}: ${JSON.stringify(report[band])}`);
    }
    assert.equal(report.crs_wkt_has_aeqd, true);
    // GDAL's Zarr driver over the same signed URL sees the grid and CRS.
    const gdal = JSON.parse(await run('gdalinfo', ['-json', `ZARR:"/vsicurl/${href}":/ensemble_likelihood`], { ...process.env, GDAL_DISABLE_READDIR_ON_OPEN: 'EMPTY_DIR' }));
    assert.deepEqual(gdal.size, [report.reference_shape[1], report.reference_shape[0]]);
    assert.match(gdal.coordinateSystem.wkt, /Azimuthal/);
    assert.equal(gdal.geoTransform[0], report.reference_x0);
    // Range requests work on the signed links (HEAD and partial GET).
    const meta = `${href}/.zmetadata`;
    const head = await fetch(meta, { method: 'HEAD' });
    assert.equal(head.status, 200);
    const part = await fetch(meta, { headers: { Range: 'bytes=0-9' } });
    assert.equal(part.status, 206);
    assert.equal((await part.arrayBuffer()).byteLength, 10);
  });

  it('GDAL reads the GeoTIFF through /vsicurl/ on the signed URL and through /vsis3/', async () => {
    const { id, results } = await runJob(t, token, floodJob('gfm-flood-monthly.json', {}, 'GTiff'));
    const href = results.assets['result-ensemble_likelihood.tif'].href;
    const viaHttp = JSON.parse(await run('gdalinfo', ['-json', '-stats', `/vsicurl/${href}`], { ...process.env, GDAL_DISABLE_READDIR_ON_OPEN: 'EMPTY_DIR' }));
    const host = new URL(S3.endpoint).host;
    const viaS3 = JSON.parse(
      await run('gdalinfo', ['-json', '-stats', `/vsis3/${BUCKET}/${prefix}/jobs/${id}/result-ensemble_likelihood.tif`], {
        ...process.env, AWS_S3_ENDPOINT: host, AWS_HTTPS: 'NO', AWS_VIRTUAL_HOSTING: 'FALSE', AWS_ACCESS_KEY_ID: S3.key, AWS_SECRET_ACCESS_KEY: S3.secret, AWS_REGION: 'us-east-1',
      }),
    );
    for (const info of [viaHttp, viaS3]) {
      assert.match(info.coordinateSystem.wkt, /Azimuthal/);
      assert.ok(info.bands[0].maximum > 50, `likelihood values present: ${info.bands[0].maximum}`);
    }
    assert.equal(viaHttp.bands[0].mean, viaS3.bands[0].mean);

    // netCDF from the same store, opened by xarray through fsspec over the signed URL.
    const nc = await runJob(t, token, floodJob('gfm-flood-monthly.json', {}, 'netCDF'));
    const ncHref = nc.results.assets['result.nc'].href;
    const script = `
import json, fsspec, xarray as xr
with fsspec.open("${ncHref}") as f:
    ds = xr.open_dataset(f, engine="scipy", mask_and_scale=False)
    v = ds["ensemble_likelihood"].values
    print(json.dumps({"mean": float(v.mean()), "crs": "Azimuthal" in str(ds["crs"].attrs.get("crs_wkt", ""))}))
`;
    const r = JSON.parse(await run('/usr/bin/python3', ['-c', script]));
    assert.equal(r.crs, true);
    assert.ok(Math.abs(r.mean - viaHttp.bands[0].mean) < 1e-3, `netCDF mean ${r.mean} vs GeoTIFF ${viaHttp.bands[0].mean}`);
  });

  it('restarting a job removes the old objects before the new run writes', async () => {
    const { id } = await runJob(t, token, floodJob('gfm-flood-monthly.json', {}, 'GTiff'));
    const keys = async () => {
      const out: string[] = [];
      for await (const e of t.ctx.store.list(`jobs/${id}/`)) out.push(e.key);
      return out;
    };
    assert.ok((await keys()).some((k) => k.endsWith('.tif')));
    // the new run writes Zarr: none of the old run's GeoTIFFs may stay next to it
    await request(t.app).patch(`/jobs/${id}`).set('Authorization', token).send({ process: floodJob('gfm-flood-monthly.json').process }).expect(204);
    await request(t.app).post(`/jobs/${id}/results`).set('Authorization', token).expect(202);
    await waitFor(async () => {
      const s = (await request(t.app).get(`/jobs/${id}`).set('Authorization', token)).body.status;
      return s === 'finished' ? s : undefined;
    }, 120_000);
    const after = await keys();
    assert.ok(after.some((k) => k.endsWith('.zmetadata')));
    assert.deepEqual(after.filter((k) => k.endsWith('.tif')), [], "the old run's files are gone");
    await request(t.app).delete(`/jobs/${id}`).set('Authorization', token).expect(204);
    assert.deepEqual(await keys(), [], 'deleting the job removes its objects');
  });
});
