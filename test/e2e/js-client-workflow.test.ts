import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OpenEO } from '@openeo/js-client';
import { createApp } from '../../src/app.ts';
import { generateDemoData } from '../../src/demo-data/index.ts';
import { hashPassword } from '../../src/auth/passwords.ts';
import { createPasswordUser } from '../../src/db/users.ts';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.ts';
import { BBOX } from './flood-helpers.ts';

/** The complete flood workflow through the official JavaScript client, its process builder included. */
describe('@openeo/js-client: the flood workflow with the process builder', () => {
  let t: TestApp;
  let server: Server;
  let url: string;
  before(async () => {
    const net = await import('node:net');
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    url = `http://127.0.0.1:${port}`;
    t = await createTestApp({ runJobs: true, env: { PUBLIC_URL: url, CHUNK_THREADS: '2' } });
    await generateDemoData({ size: 'small', outDir: path.join(t.dataDir, 'demo', 'gfm') });
    await createPasswordUser(t.ctx.db, 'jsflood', await hashPassword('js-flood-password'));
    server = await new Promise<Server>((resolve) => {
      const s = createApp(t.ctx).listen(port, '127.0.0.1', () => resolve(s));
    });
  });
  after(async () => {
    server.close();
    await t.close();
  });

  it('builds, runs and downloads the result through signed links', async () => {
    const con = await OpenEO.connect(url);
    await con.authenticateBasic('jsflood', 'js-flood-password');
    const formats = await con.listFileTypes();
    assert.ok(formats.getOutputTypes().zarr || formats.getOutputTypes().ZARR, 'ZARR listed as an output format');
    const b: any = await (con as any).buildProcess();
    const cube = b.load_collection('GFM', BBOX, ['2023-08-01', '2023-09-01'], ['ensemble_flood_extent', 'ensemble_likelihood']);
    const masked = (band: string) =>
      b.apply(b.filter_bands(cube, [band]), function (this: any, x: unknown) {
        return this.if(this.or(this.eq(x, 255), this.eq(x, 0)), null, x);
      });
    const flood = b.reduce_dimension(masked('ensemble_flood_extent'), function (this: any, data: unknown) {
      return this.max(data);
    }, 't');
    const likelihood = b.reduce_dimension(masked('ensemble_likelihood'), function (this: any, data: unknown) {
      return this.mean(data);
    }, 't');
    const result = b.save_result(b.merge_cubes(flood, likelihood), 'ZARR', { dtype: 'uint8', nodata: null });
    const validation = await con.validateProcess(result);
    assert.equal(validation.length, 0, JSON.stringify([...validation]));
    const job = await con.createJob(result, 'flood via the JS client');
    await job.startJob();
    await waitFor(async () => {
      const j = await job.describeJob();
      if (j.status === 'error') throw new Error('job failed');
      return j.status === 'finished' ? true : undefined;
    }, 120_000, 'the job');
    const assets = await job.listResults();
    const zarr = assets.find((a: { href: string }) => a.href.endsWith('/result.zarr'));
    assert.ok(zarr, JSON.stringify(assets.map((a: { href: string }) => a.href)));
    // The store's own href answers (downloadResults and the Web Editor fetch it): an index of its entries.
    const root = await fetch(zarr.href);
    assert.equal(root.status, 200);
    assert.ok((await root.text()).includes(`href="${zarr.href}/.zmetadata"`));
    // The signed prefix serves every key of the store without credentials.
    const meta = await fetch(`${zarr.href}/.zmetadata`);
    assert.equal(meta.status, 200);
    const doc = (await meta.json()) as { metadata: Record<string, { shape?: number[] }> };
    assert.equal(doc.metadata['ensemble_likelihood/.zarray'].shape!.length, 2);
    const overview = (assets as { href: string; roles?: string[] }[]).find((a) => a.roles?.includes('overview'))!;
    assert.ok(overview);
    const png = await fetch(overview.href);
    assert.equal(png.headers.get('content-type'), 'image/png');
  });
});
