import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateDemoData } from '../../src/demo-data/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { floodJob, runJob } from './flood-helpers.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('flood results as GeoTIFF, netCDF and PNG agree with the Zarr output', () => {
  let t: TestApp;
  let token: string;
  before(async () => {
    t = await createTestApp({ runJobs: true, env: { CHUNK_THREADS: '2' } });
    await generateDemoData({ size: 'small', outDir: path.join(t.dataDir, 'demo', 'gfm') });
    token = await t.login('formats');
  });
  after(() => t.close());

  it('writes COGs, a CF netCDF and quicklooks that GDAL and xarray read as the same pixels and CRS', async () => {
    const zarr = await runJob(t, token, floodJob('gfm-flood-monthly.json'));
    const tif = await runJob(t, token, floodJob('gfm-flood-monthly.json', {}, 'GTiff'));
    const nc = await runJob(t, token, floodJob('gfm-flood-monthly.json', {}, 'netcdf'));
    const png = await runJob(t, token, floodJob('gfm-flood-monthly.json', { colormap: 'Reds', max_size: 512 }, 'PNG'));
    const dir = (id: string) => path.join(t.dataDir, 'results', 'jobs', id);
    const tifAsset = tif.results.assets['result-ensemble_flood_extent.tif'];
    assert.equal(tifAsset.type, 'image/tiff; application=geotiff; profile=cloud-optimized');
    assert.equal(nc.results.assets['result.nc'].type, 'application/x-netcdf');
    assert.ok(png.results.assets['quicklook-ensemble_likelihood.png']);
    for (const job of [zarr, tif, nc, png]) assert.ok(!readdirSync(dir(job.id)).includes('.staging'), `no staging folder left in ${readdirSync(dir(job.id))}`);
    const out = execFileSync('/usr/bin/python3', [
      path.join(here, 'compare_outputs.py'),
      path.join(dir(zarr.id), 'result.zarr'),
      path.join(dir(tif.id), 'result-ensemble_flood_extent.tif'),
      path.join(dir(tif.id), 'result-ensemble_likelihood.tif'),
      path.join(dir(nc.id), 'result.nc'),
      path.join(dir(png.id), 'quicklook-ensemble_likelihood.png'),
    ], { encoding: 'utf8' });
    const r = JSON.parse(out);
    for (const band of ['ensemble_flood_extent', 'ensemble_likelihood']) {
      assert.equal(r[`tif_${band}`].equal, true, `GeoTIFF ${band}`);
      assert.equal(r[`tif_${band}`].aeqd, true, `GeoTIFF ${band} CRS`);
      assert.deepEqual(r[`tif_${band}`].geotransform, r.zarr_geotransform);
      assert.equal(r[`nc_${band}`].equal, true, `netCDF (xarray) ${band}`);
      assert.equal(r[`nc_gdal_${band}`].equal, true, `netCDF (GDAL) ${band}`);
      assert.equal(r[`nc_gdal_${band}`].aeqd, true, `netCDF ${band} CRS`);
    }
    assert.equal(r.png.bands, 4);
    assert.ok(r.png.distinct_colours > 5, `PNG is not blank: ${JSON.stringify(r.png)}`);
    assert.ok(r.png.opaque > 100);
  });

  it('renders a window of the grid as PNG', async () => {
    const png = await runJob(t, token, floodJob('gfm-flood-monthly.json', { colormap: 'Reds', window: '[:500, 100:900]' }, 'PNG'));
    const file = path.join(t.dataDir, 'results', 'jobs', png.id, 'quicklook-ensemble_likelihood.png');
    const info = JSON.parse(execFileSync('gdalinfo', ['-json', file], { encoding: 'utf8' }));
    assert.deepEqual(info.size, [800, 500]);
  });
});
