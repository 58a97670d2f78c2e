import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/openeo-backend.js', import.meta.url));

describe('openeo-backend demo', () => {
  let dataDir = '';
  after(() => fs.rm(dataDir, { recursive: true, force: true }));

  it('generates data, runs the flood job through the API and plots a non-blank likelihood map', async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'demo-'));
    const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    delete (env as Record<string, string | undefined>).DATABASE_URL;
    const r = spawnSync(process.execPath, [BIN, 'demo', '--size', 'small'], { env, encoding: 'utf8', timeout: 300_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /Zarr store \(signed link/);
    const png = path.join(dataDir, 'demo', 'flood-likelihood.png');
    const script = `
import json, numpy as np
from osgeo import gdal
d = gdal.Open("${png}")
a = np.stack([d.GetRasterBand(i + 1).ReadAsArray() for i in range(d.RasterCount)])
rgb = a[:3].reshape(3, -1).T
red = ((rgb[:, 0] > 150) & (rgb[:, 1] < 120) & (rgb[:, 2] < 120)).sum()
print(json.dumps({"w": d.RasterXSize, "h": d.RasterYSize, "colours": int(len(np.unique(rgb, axis=0))), "red": int(red)}))
`;
    const info = JSON.parse(spawnSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' }).stdout);
    assert.ok(info.w > 400 && info.h > 300, JSON.stringify(info));
    assert.ok(info.colours > 20, `not blank: ${JSON.stringify(info)}`);
    assert.ok(info.red > 1000, `shows flooded (red) areas: ${JSON.stringify(info)}`);
  });
});
