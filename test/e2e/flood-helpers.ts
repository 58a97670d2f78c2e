import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { waitFor, type TestApp } from '../helpers/app.ts';
import { assertOfficialResponse } from '../helpers/official-spec.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REFERENCE_SCRIPT = path.join(here, 'gfm_reference.py');
// Inside the small demo data (two 2000-px crops of E015N027T3 and E018N027T3).
export const BBOX = { west: 68.33, south: 26.95, east: 68.8, north: 27.16 };

/** A ready-to-POST graph from process-graphs/, narrowed to the test AOI and smaller chunks (several per axis). */
export function floodJob(name: string, saveOptions: Record<string, unknown> = {}, format?: string) {
  const body = JSON.parse(readFileSync(path.join(here, '../../process-graphs', name), 'utf8'));
  const g = body.process.process_graph;
  const nodes = Object.values(g) as { process_id: string; arguments: Record<string, any> }[];
  const load = nodes.find((n) => n.process_id === 'load_collection')!;
  const save = nodes.find((n) => n.process_id === 'save_result')!;
  load.arguments.spatial_extent = BBOX;
  save.arguments.options = { ...save.arguments.options, chunk_size: 1024, ...saveOptions };
  if (format) save.arguments.format = format;
  return body;
}

/** Creates, starts and waits for a job; returns its id and results document. */
export async function runJob(t: TestApp, token: string, body: unknown) {
  const created = await request(t.app).post('/jobs').set('Authorization', token).send(body as object).expect(201);
  const id = created.headers['openeo-identifier'];
  await request(t.app).post(`/jobs/${id}/results`).set('Authorization', token).expect(202);
  const status = await waitFor(async () => {
    const j = await request(t.app).get(`/jobs/${id}`).set('Authorization', token);
    return ['finished', 'error'].includes(j.body.status) ? j.body.status : undefined;
  }, 180_000, 'the flood job');
  if (status !== 'finished') {
    const logs = await request(t.app).get(`/jobs/${id}/logs`).set('Authorization', token);
    assert.fail(`job ended in ${status}: ${JSON.stringify(logs.body.logs)}`);
  }
  const res = await request(t.app).get(`/jobs/${id}/results`).set('Authorization', token).expect(200);
  assertOfficialResponse(res);
  return { id, results: res.body as { assets: Record<string, { href: string; type: string; roles: string[] }>; properties: Record<string, unknown> } };
}
