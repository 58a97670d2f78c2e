import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { makeItems } from '../catalog/fixture-items.ts';
import { startStacFixture, type StacFixture } from '../catalog/stac-fixture-server.ts';

/** load_stac against a local STAC API, through the outbound-request guard. */
describe('load_stac and the outbound-request rules', () => {
  let stac: StacFixture;
  before(async () => {
    stac = await startStacFixture(makeItems(3));
  });
  after(() => stac.close());

  const graph = (url: string) => ({
    process: {
      process_graph: {
        l: { process_id: 'load_stac', arguments: { url, bands: ['ensemble_likelihood'] } },
        d: { process_id: 'dimension_labels', arguments: { data: { from_node: 'l' }, dimension: 't' }, result: true },
      },
    },
  });

  async function withApp(env: Record<string, string>, fn: (t: TestApp, token: string) => Promise<void>) {
    const t = await createTestApp({ env: { CHUNK_THREADS: '0', ...env } });
    try {
      await fn(t, await t.login('stacuser'));
    } finally {
      await t.close();
    }
  }

  it('refuses a loopback STAC URL by default', async () => {
    await withApp({}, async (t, token) => {
      const res = await request(t.app).post('/result').set('Authorization', token).send(graph(`${stac.url}/collections/GFM`));
      assert.equal(res.status, 403, JSON.stringify(res.body));
      assert.equal(res.body.code, 'PermissionsInsufficient');
    });
  });

  it('loads the items of an allow-listed STAC API collection', async () => {
    const host = new URL(stac.url).host;
    await withApp({ OUTBOUND_ALLOW: host, OUTBOUND_ALLOW_PRIVATE: '127.0.0.1' }, async (t, token) => {
      const res = await request(t.app).post('/result').set('Authorization', token).send(graph(`${stac.url}/collections/GFM`)).expect(200);
      assert.equal(res.body.length, 3);
      assert.ok(stac.requests.some((r) => r.path.endsWith('/search')), 'searched through the API');
    });
  });

  it('refuses to read COGs from hosts that are not allow-listed', async () => {
    const host = new URL(stac.url).host;
    await withApp({ OUTBOUND_ALLOW: host, OUTBOUND_ALLOW_PRIVATE: '127.0.0.1' }, async (t, token) => {
      const body = {
        process: {
          process_graph: {
            l: { process_id: 'load_stac', arguments: { url: `${stac.url}/collections/GFM`, bands: ['ensemble_likelihood'], spatial_extent: { west: 68.5, south: 27.0, east: 68.52, north: 27.02 } } },
            s: { process_id: 'save_result', arguments: { data: { from_node: 'l' }, format: 'netCDF' }, result: true },
          },
        },
      };
      // The fixture's items point their assets at https://data.example/…, which is not on the list.
      const res = await request(t.app).post('/result').set('Authorization', token).send(body);
      assert.equal(res.status, 403, JSON.stringify(res.body));
      assert.equal(res.body.code, 'PermissionsInsufficient');
      assert.match(res.body.message, /data\.example/);
    });
  });
});
