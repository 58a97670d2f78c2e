import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { OpenEO } from '@openeo/js-client';
import { hashPassword } from '../../src/auth/passwords.ts';
import { createApp } from '../../src/app.ts';
import { createPasswordUser } from '../../src/db/users.ts';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.ts';

/** The official JavaScript client against a listening server, as a real user would drive it. */
async function listen(runJobs: boolean): Promise<{ t: TestApp; server: Server; url: string }> {
  // PUBLIC_URL must be the address the client really reaches, because it follows our links.
  const probe = await import('node:net').then((net) => new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  }));
  const url = `http://127.0.0.1:${probe}`;
  const t = await createTestApp({ runJobs, env: { PUBLIC_URL: url } });
  await createPasswordUser(t.ctx.db, 'jsuser', await hashPassword('js-client-password'));
  const server = await new Promise<Server>((resolve) => {
    const s = createApp(t.ctx).listen(probe, '127.0.0.1', () => resolve(s));
  });
  return { t, server, url };
}

const process = (x: number) => ({
  process_graph: { s: { process_id: 'add', arguments: { x, y: 1 }, result: true } },
});

describe('@openeo/js-client drives the job lifecycle', () => {
  let env: Awaited<ReturnType<typeof listen>>;
  before(async () => {
    env = await listen(false);
  });
  after(async () => {
    env.server.close();
    await env.t.close();
  });

  it('connects, logs in, lists, and creates / updates / starts / cancels / deletes a job, reading its logs', async () => {
    const con = await OpenEO.connect(env.url);
    assert.equal(con.capabilities().apiVersion(), '1.2.0');
    await con.authenticateBasic('jsuser', 'js-client-password');
    assert.ok(con.isAuthenticated());
    const account = await con.describeAccount();
    assert.equal(account.name, 'jsuser');
    const collections = await con.listCollections();
    assert.ok(Array.isArray(collections.collections));
    const processes = await con.listProcesses();
    assert.ok(processes.processes.some((p) => (p as { id?: string }).id === 'add'));
    const formats = await con.listFileTypes();
    assert.ok(formats.getOutputTypes());

    const job = await con.createJob(process(1), 'js job', 'from the js client');
    assert.equal((await job.describeJob()).status, 'created');
    await job.updateJob({ title: 'renamed', process: process(2) } as never);
    assert.equal((await job.describeJob()).title, 'renamed');
    await job.startJob();
    assert.equal(job.status, 'queued');
    await job.stopJob();
    assert.equal((await job.describeJob()).status, 'canceled');
    const logs = await job.debugJob().nextLogs();
    assert.ok(Array.isArray(logs));
    const listed = await con.listJobs();
    assert.ok(listed.some((j: { id: string }) => j.id === job.id));
    await job.deleteJob();
    await assert.rejects(() => con.getJob(job.id), (e: { code?: string }) => e.code === 'JobNotFound');
  });
});

describe('@openeo/js-client runs a job to its results', () => {
  let env: Awaited<ReturnType<typeof listen>>;
  before(async () => {
    env = await listen(true);
  });
  after(async () => {
    env.server.close();
    await env.t.close();
  });

  it('starts a job, waits for it, lists results and downloads the asset through its signed link', async () => {
    const con = await OpenEO.connect(env.url);
    await con.authenticateBasic('jsuser', 'js-client-password');
    const job = await con.createJob(process(41));
    await job.startJob();
    await waitFor(async () => ((await job.describeJob()).status === 'finished' ? true : undefined), 30_000, 'job to finish');
    const assets = await job.listResults();
    assert.equal(assets.length, 1);
    const res = await fetch(assets[0].href);
    assert.equal(res.status, 200);
    assert.equal(await res.json(), 42);
  });
});
