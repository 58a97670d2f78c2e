/** The HTTP side of the demo: what a user's client does (submit, start, poll, read the Zarr over signed links). */
import { decompress } from '@bokuweb/zstd-wasm';
import { ensureZstd } from '../formats/zstd.ts';

export interface DemoApi {
  base: string;
  auth: string;
}

async function call(api: DemoApi, method: string, path: string, body?: unknown): Promise<Response> {
  const res = await fetch(`${api.base}${path}`, {
    method,
    headers: { Authorization: api.auth, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res;
}

export async function submitAndWait(api: DemoApi, job: unknown, onProgress: (p: number, status: string) => void): Promise<{ id: string; results: any }> {
  const created = await call(api, 'POST', '/jobs', job);
  const id = created.headers.get('openeo-identifier')!;
  await call(api, 'POST', `/jobs/${id}/results`);
  for (;;) {
    const j = (await (await call(api, 'GET', `/jobs/${id}`)).json()) as { status: string; progress?: number };
    onProgress(j.progress ?? 0, j.status);
    if (j.status === 'finished') break;
    if (j.status === 'error' || j.status === 'canceled') {
      const logs = (await (await call(api, 'GET', `/jobs/${id}/logs?level=error`)).json()) as { logs: { message: string }[] };
      throw new Error(`the job ended in ${j.status}: ${logs.logs.map((l) => l.message).join('; ')}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return { id, results: await (await call(api, 'GET', `/jobs/${id}/results`)).json() };
}

export interface Downsampled {
  values: Float64Array;
  width: number;
  height: number;
  /** rasterio-order transform of the downsampled grid. */
  transform: [number, number, number, number, number, number];
}

/**
 * Reads one variable of a Zarr v2 store over HTTP (no credentials: the URL is signed) and keeps every `step`-th
 * pixel so that the longest side fits `maxSize`. Chunks are fetched one at a time; memory stays at one chunk.
 */
export async function readZarrVariable(storeUrl: string, variable: string, maxSize: number): Promise<Downsampled> {
  const meta = (await (await fetch(`${storeUrl}/.zmetadata`)).json()) as { metadata: Record<string, any> };
  const zarray = meta.metadata[`${variable}/.zarray`];
  const [H, W] = zarray.shape as [number, number];
  const [ch, cw] = zarray.chunks as [number, number];
  const step = Math.max(1, Math.ceil(Math.max(W, H) / maxSize));
  const width = Math.ceil(W / step);
  const height = Math.ceil(H / step);
  const values = new Float64Array(width * height).fill(zarray.fill_value ?? NaN);
  await ensureZstd();
  for (let cy = 0; cy * ch < H; cy++) {
    for (let cx = 0; cx * cw < W; cx++) {
      const res = await fetch(`${storeUrl}/${variable}/${cy}.${cx}`);
      if (res.status === 404) continue;
      const raw = new Uint8Array(await res.arrayBuffer());
      const id = zarray.compressor?.id;
      const bytes = id === 'zstd' ? decompress(raw) : id ? (() => { throw new Error(`the demo reads zstd chunks, not ${id}`); })() : raw;
      for (let r = Math.ceil((cy * ch) / step) * step; r < Math.min(H, (cy + 1) * ch); r += step) {
        for (let c = Math.ceil((cx * cw) / step) * step; c < Math.min(W, (cx + 1) * cw); c += step) {
          values[(r / step) * width + c / step] = bytes[(r - cy * ch) * cw + (c - cx * cw)];
        }
      }
    }
  }
  const xs = meta.metadata['spatial_ref/.zattrs']?.GeoTransform?.split(' ').map(Number) as number[] | undefined;
  const gt = xs ?? [0, 1, 0, 0, 0, -1];
  return { values, width, height, transform: [gt[1] * step, 0, gt[0], 0, gt[5] * step, gt[3]] };
}
