import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CubeNode } from '../../src/datacube/types.ts';
import { dataTime, timeSpan } from '../../src/executor/result-metadata.ts';
import { EPSG4326 } from '../../src/raster/grid/crs.ts';

const grid = { crs: EPSG4326, transform: [1, 0, 0, 0, -1, 0] as const, width: 1, height: 1 };
const loadOf = (...labels: string[]): CubeNode => ({ op: 'load', collection: 'c', grid, bands: [], steps: labels.map((label) => ({ label, items: [] })) });
const callback = { graph: {} as never, parameterNames: [] };

describe('the time of the data in results metadata', () => {
  it('spans the time steps the loads read when the result has no time dimension', () => {
    const node: CubeNode = {
      op: 'reduce_time',
      callback,
      input: { op: 'merge', a: loadOf('2023-08-03T01:00:00Z', '2023-08-20T01:00:00Z'), b: loadOf('2023-08-01T00:00:00Z'), bandMap: [], timeMap: [] },
    };
    assert.deepEqual(dataTime({ node }), { datetime: null, start_datetime: '2023-08-01T00:00:00Z', end_datetime: '2023-08-20T01:00:00Z' });
  });

  it('counts only the steps a filter keeps of a load', () => {
    const node: CubeNode = { op: 'reduce_time', callback, input: { op: 'select', times: [1, 2], input: loadOf('2023-08-01T00:00:00Z', '2023-08-05T00:00:00Z', '2023-08-09T00:00:00Z') } };
    assert.deepEqual(dataTime({ node }), { datetime: null, start_datetime: '2023-08-05T00:00:00Z', end_datetime: '2023-08-09T00:00:00Z' });
  });

  it('uses the labels of a time dimension; one instant is the datetime; index labels fall back to the loads', () => {
    const node = loadOf('2023-08-01T00:00:00Z', '2023-08-09T00:00:00Z');
    assert.deepEqual(dataTime({ node, time: ['2023-08-09T00:00:00Z'] }), { datetime: '2023-08-09T00:00:00Z' });
    assert.deepEqual(dataTime({ node, time: ['0', '1'] }), { datetime: null, start_datetime: '2023-08-01T00:00:00Z', end_datetime: '2023-08-09T00:00:00Z' });
    assert.deepEqual(timeSpan([]), {});
  });
});

describe('partial results documents', () => {
  it('carry the planned time of the data instead of the processing time', async () => {
    const { loadConfig } = await import('../../src/config.ts');
    const { resultsDocument } = await import('../../src/results/document.ts');
    const { ResultSigner } = await import('../../src/results/signing.ts');
    const config = loadConfig({ DATA_DIR: '/tmp/unused', PUBLIC_URL: 'http://openeo.test', SIGNING_SECRET: 'test-signing-secret-0123456789' });
    const now = new Date();
    const job = { id: 'j1', run: 1, status: 'running', results: null, title: null, description: null, created: now, updated: now, finished: null } as never;
    const planned = { properties: dataTime({ node: loadOf('2023-08-01T00:00:00Z', '2023-08-09T00:00:00Z') }) };
    const doc = resultsDocument(config, new ResultSigner(config.signingSecret), job, Date.now(), planned) as { properties: Record<string, unknown> };
    assert.equal(doc.properties.datetime, null);
    assert.equal(doc.properties.start_datetime, '2023-08-01T00:00:00Z');
    assert.equal(doc.properties['openeo:status'], 'running');
  });
});
