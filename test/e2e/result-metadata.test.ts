import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { generateDemoData } from '../../src/demo-data/index.ts';
import { EQUI7_ASIA_PROJ4 } from '../../src/demo-data/equi7.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { BBOX, floodJob, runJob } from './flood-helpers.ts';

const load = { process_id: 'load_collection', arguments: { id: 'GFM', spatial_extent: BBOX, temporal_extent: ['2023-08-01', '2023-09-01'], bands: ['ensemble_likelihood'] } };

/** The STAC Item of batch results: what it says about the data (time, CRS) and which extensions it declares. */
describe('results Item metadata of raster jobs', () => {
  let t: TestApp;
  let token: string;
  let steps: string[];
  let zarrJob: Awaited<ReturnType<typeof runJob>>;
  let ncJob: Awaited<ReturnType<typeof runJob>>;
  before(async () => {
    t = await createTestApp({ runJobs: true, env: { CHUNK_THREADS: '2' } });
    await generateDemoData({ size: 'small', outDir: path.join(t.dataDir, 'demo', 'gfm') });
    token = await t.login('metadata');
    const labels = await request(t.app).post('/result').set('Authorization', token).send({
      process: { process_graph: { l: load, d: { process_id: 'dimension_labels', arguments: { data: { from_node: 'l' }, dimension: 't' }, result: true } } },
    }).expect(200);
    steps = labels.body;
    assert.ok(steps.length > 2);
  });
  after(() => t.close());

  it('a result reduced over time has datetime null and the span of the time steps read', async () => {
    const before = new Date().toISOString();
    zarrJob = await runJob(t, token, floodJob('gfm-flood-monthly.json'));
    const p = zarrJob.results.properties;
    assert.equal(p.datetime, null);
    assert.equal(p.start_datetime, steps[0]);
    assert.equal(p.end_datetime, steps[steps.length - 1]);
    // processing times stay in created/updated
    assert.ok((p.updated as string) >= before.slice(0, 19), `${p.updated} vs ${before}`);
  });

  it('a result with a time dimension spans its first and last labels', async () => {
    ncJob = await runJob(t, token, {
      process: {
        process_graph: {
          l: load,
          f: { process_id: 'filter_temporal', arguments: { data: { from_node: 'l' }, extent: [steps[1], steps[3]] } },
          s: { process_id: 'save_result', arguments: { data: { from_node: 'f' }, format: 'netCDF' }, result: true },
        },
      },
    });
    const p = ncJob.results.properties;
    assert.equal(p.datetime, null);
    assert.equal(p.start_datetime, steps[1]);
    assert.equal(p.end_datetime, steps[2]);
  });

  it('proj:wkt2 is WKT2 of the native CRS, and GDAL and xarray read the same CRS from the Zarr and netCDF files', async () => {
    const wkts: string[] = [];
    for (const job of [zarrJob, ncJob]) {
      const p = job.results.properties;
      assert.equal(p['proj:code'], null);
      wkts.push(p['proj:wkt2'] as string);
      const data = Object.values(job.results.assets).filter((a) => a.roles.includes('data'));
      assert.equal(data.length, 1);
      wkts.push((data[0] as unknown as Record<string, string>)['proj:wkt2']);
    }
    for (const w of wkts) assert.match(w, /^PROJCRS\[/, w);
    const dir = (id: string) => path.join(t.dataDir, 'results', 'jobs', id);
    const script = `
import json, sys, xarray as xr
from osgeo import gdal, osr
gdal.UseExceptions()
want = osr.SpatialReference(); want.ImportFromProj4(sys.argv[1])
def same(wkt):
    s = osr.SpatialReference(); s.ImportFromWkt(wkt)
    return s.ExportToProj4() == want.ExportToProj4()
zarr, nc, stac = sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
out = {'stac': [same(w) for w in stac]}
out['gdal_zarr'] = same(gdal.Open(f'ZARR:"{zarr}":/ensemble_likelihood').GetProjection())
out['gdal_nc'] = same(gdal.Open(f'NETCDF:"{nc}":ensemble_likelihood').GetProjection())
ds = xr.open_zarr(zarr, consolidated=True)
out['xarray_zarr'] = same(ds.spatial_ref.attrs['crs_wkt'])
out['xarray_zarr_wkt2'] = ds.spatial_ref.attrs['crs_wkt'].startswith('PROJCRS[')
ds = xr.open_dataset(nc)
gm = ds[ds.ensemble_likelihood.attrs.get('grid_mapping') or ds.ensemble_likelihood.encoding['grid_mapping']]
out['xarray_nc'] = same(gm.attrs['crs_wkt'])
print(json.dumps(out))`;
    const out = execFileSync('/usr/bin/python3', ['-c', script, EQUI7_ASIA_PROJ4, path.join(dir(zarrJob.id), 'result.zarr'), path.join(dir(ncJob.id), 'result.nc'), JSON.stringify(wkts)], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), { stac: [true, true, true, true], gdal_zarr: true, gdal_nc: true, xarray_zarr: true, xarray_zarr_wkt2: true, xarray_nc: true });
  });

  it('declares exactly the STAC extensions whose fields each document has', async () => {
    const tif = await runJob(t, token, floodJob('gfm-flood-monthly.json', {}, 'GTiff'));
    const json = await runJob(t, token, { process: { process_graph: { a: { process_id: 'add', arguments: { x: 1, y: 2 }, result: true } } } });
    const schemas: Record<string, string> = {
      proj: 'https://stac-extensions.github.io/projection/v2.0.0/schema.json',
      raster: 'https://stac-extensions.github.io/raster/v1.1.0/schema.json',
      eo: 'https://stac-extensions.github.io/eo/v1.1.0/schema.json',
      file: 'https://stac-extensions.github.io/file/v2.1.0/schema.json',
      xarray: 'https://stac-extensions.github.io/xarray-assets/v1.0.0/schema.json',
    };
    const zarrAsset = zarrJob.results.assets['result.zarr'] as unknown as Record<string, unknown>;
    assert.deepEqual(zarrAsset['xarray:open_kwargs'], { engine: 'zarr', consolidated: true });
    assert.ok(!Object.keys(zarrAsset).some((k) => k.startsWith('zarr:')));
    const expected = { zarr: ['proj', 'raster', 'xarray'], nc: ['proj', 'raster'], tif: ['proj', 'raster', 'eo', 'file'], json: ['file'] };
    for (const [name, job] of Object.entries({ zarr: zarrJob, nc: ncJob, tif, json })) {
      const doc = job.results as unknown as { stac_extensions: string[]; properties: object; assets: Record<string, object> };
      const used = new Set<string>();
      for (const o of [doc.properties, ...Object.values(doc.assets)]) for (const k of Object.keys(o)) if (k.includes(':') && !k.startsWith('openeo:')) used.add(k.split(':')[0]);
      assert.deepEqual([...used].sort(), [...expected[name as keyof typeof expected]].sort(), `${name} fields`);
      assert.deepEqual([...doc.stac_extensions].sort(), [...used].map((p) => schemas[p]).sort(), `${name} stac_extensions`);
    }
  });
});
