/**
 * The synchronous pixel budget counts what is computed: apply_dimension along x needs whole rows of its grid even
 * when filter_bbox keeps only a few pixels of them.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, it } from 'node:test';
import request from 'supertest';
import { generateDemoData } from '../../src/demo-data/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

const AREA = { west: 68.45, south: 27.0, east: 68.5, north: 27.04 };
// a few pixels inside it
const SMALL = { west: 68.47, south: 27.02, east: 68.4701, north: 27.0201 };
// 8 steps x 2 rows x at least 65 columns (the area is wider than 64 px) exceed it; the few pixels alone do not
const BUDGET = 8 * 2 * 64;

let t: TestApp;
let token: string;
before(async () => {
  t = await createTestApp({ env: { CHUNK_THREADS: '0', LIMIT_SYNC_PIXELS: String(BUDGET) } });
  await generateDemoData({ size: 'small', outDir: path.join(t.dataDir, 'demo', 'gfm') });
  token = await t.login('sync-budget');
});
after(() => t?.close());

const graph = (alongX: boolean) => ({
  l: { process_id: 'load_collection', arguments: { id: 'GFM', spatial_extent: AREA, temporal_extent: ['2023-08-01', '2023-09-01'], bands: ['ensemble_likelihood'] } },
  ...(alongX
    ? { a: { process_id: 'apply_dimension', arguments: { data: { from_node: 'l' }, dimension: 'x', process: { process_graph: { s: { process_id: 'sort', arguments: { data: { from_parameter: 'data' }, nodata: true }, result: true } } } } } }
    : {}),
  f: { process_id: 'filter_bbox', arguments: { data: { from_node: alongX ? 'a' : 'l' }, extent: SMALL } },
  s: { process_id: 'save_result', arguments: { data: { from_node: 'f' }, format: 'netCDF', options: { dtype: 'float32' } }, result: true },
});

it('refuses a few pixels of an apply along x whose rows exceed the budget, accepts the same pixels alone', async () => {
  const sync = (g: object) => request(t.app).post('/result').set('Authorization', token).send({ process: { process_graph: g } });
  const plain = await sync(graph(false));
  assert.equal(plain.status, 200, JSON.stringify(plain.body));
  const rows = await sync(graph(true));
  assert.equal(rows.status, 400, JSON.stringify(rows.body));
  assert.equal(rows.body.code, 'ProcessGraphComplexity');
  assert.match(rows.body.message, /values computed/);
});
