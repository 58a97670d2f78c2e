/**
 * A streaming reducer finalizing into the output (`resultInto`) writes exactly what `writePlane(result(), …)` writes:
 * every accumulator and count, with and without ignore_nodata, over stacks mixing masked, all-valid, sparse (with a
 * coverage) and whole no-data steps, into integer and float targets with and without a no-data value.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createStreamingReducer, writePlane, type Plane, type StreamingKind, type StreamingReducer } from '../../src/datacube/kernels/index.ts';
import { emptyCoverage, markRect } from '../../src/datacube/kernels/coverage.ts';
import { TYPED_ARRAY, type RasterArray, type RasterDataType } from '../../src/raster/data-types.ts';
import { randomPlane, rng } from './oracle.ts';

const W = 96;
const H = 40;
const N = W * H;

type Step = { plane: Plane } | { nodata: true };

/** A plane valid only inside a few rectangles (garbage outside), carrying that coverage. */
function sparsePlane(seed: number): Plane {
  const r = rng(seed);
  const cover = emptyCoverage(W, H);
  for (let k = 0; k < 2; k++) markRect(cover, Math.floor(r() * W) - 10, Math.floor(r() * H) - 10, 20 + Math.floor(r() * 40), 10 + Math.floor(r() * 20));
  const data = new Float64Array(N);
  const valid = new Uint8Array(N);
  for (let row = 0; row < H; row++) {
    for (let col = 0; col < W; col++) {
      const i = row * W + col;
      data[i] = r() < 0.1 ? NaN : (r() - 0.3) * 400;
      const inside = cover.flags[Math.floor(row / cover.tile) * cover.cols + Math.floor(col / cover.tile)] === 1;
      valid[i] = inside && r() < 0.8 ? 1 : 0;
    }
  }
  return { data, valid, cover };
}

const STACKS: Record<string, (seed: number) => Step[]> = {
  masked: (seed) => [0, 1, 2, 3].map((s) => ({ plane: randomPlane({ n: N, seed: seed * 10 + s, nulls: 0.4, kind: s % 2 ? 'float32' : 'float64' }) })),
  'with an all-valid step': (seed) => [
    { plane: randomPlane({ n: N, seed, nulls: 0.4, kind: 'float64' }) },
    { plane: randomPlane({ n: N, seed: seed + 1, kind: 'float64' }) },
    { nodata: true },
  ],
  'all valid': (seed) => [{ plane: randomPlane({ n: N, seed, kind: 'float64' }) }, { plane: randomPlane({ n: N, seed: seed + 1, kind: 'float32' }) }],
  sparse: (seed) => [{ plane: sparsePlane(seed) }, { nodata: true }, { plane: sparsePlane(seed + 1) }],
  'bytes (GFM-like)': (seed) => [0, 1, 2].map((s) => ({ plane: randomPlane({ n: N, seed: seed * 10 + s, nulls: 0.3, bytes: true, kind: 'float32' }) })),
  'only no-data steps': () => [{ nodata: true }, { nodata: true }],
  'no steps': () => [],
};

const TARGETS: { dtype: RasterDataType; nodata: number | null }[] = [
  { dtype: 'uint8', nodata: null },
  { dtype: 'uint8', nodata: 255 },
  { dtype: 'int16', nodata: -9999 },
  { dtype: 'uint32', nodata: null },
  { dtype: 'float32', nodata: null },
  { dtype: 'float64', nodata: -1 },
];

const REDUCERS: { kind: StreamingKind; ignoreNodata?: boolean; countAll?: boolean }[] = [
  ...(['max', 'min', 'sum', 'mean', 'product'] as const).flatMap((kind) => [{ kind }, { kind, ignoreNodata: false }]),
  { kind: 'count' },
  { kind: 'count', countAll: true },
];

function feed(r: StreamingReducer, steps: Step[]): StreamingReducer {
  for (const s of steps) {
    if ('nodata' in s) r.addNodata();
    else r.add(s.plane);
  }
  return r;
}

const bytesOf = (a: RasterArray) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe('resultInto writes what writePlane(result()) writes', () => {
  for (const [name, make] of Object.entries(STACKS)) {
    test(name, () => {
      let compared = 0;
      for (const seed of [1, 2, 3]) {
        const steps = make(seed);
        for (const spec of REDUCERS) {
          for (const t of TARGETS) {
            const opts = { ignoreNodata: spec.ignoreNodata, countAll: spec.countAll };
            const expected = new TYPED_ARRAY[t.dtype](N) as RasterArray;
            writePlane(feed(createStreamingReducer(spec.kind, N, opts), steps).result(), t.dtype, expected, { nodata: t.nodata, rounding: 'trunc' });
            // stale contents in the target must not leak through
            const actual = (new TYPED_ARRAY[t.dtype](N) as RasterArray).fill(7);
            const r = feed(createStreamingReducer(spec.kind, N, opts), steps);
            assert.equal(r.resultInto!({ dtype: t.dtype, out: actual, opts: { nodata: t.nodata, rounding: 'trunc' } }), true);
            assert.deepEqual(bytesOf(actual), bytesOf(expected), `${spec.kind} ${JSON.stringify(opts)} into ${t.dtype} nodata ${t.nodata}, seed ${seed}`);
            compared++;
          }
        }
      }
      assert.equal(compared, 3 * REDUCERS.length * TARGETS.length);
    });
  }

  test('rounding to nearest is left to writePlane; a second result is refused until reset', () => {
    const r = feed(createStreamingReducer('mean', N), STACKS.masked(5));
    assert.equal(r.resultInto!({ dtype: 'uint8', out: new Uint8Array(N), opts: { rounding: 'round' } }), false);
    assert.ok(r.result().data.length === N);
    assert.throws(() => r.resultInto!({ dtype: 'uint8', out: new Uint8Array(N), opts: {} }), /already taken/);
    r.reset();
    assert.equal(r.resultInto!({ dtype: 'float32', out: new Float32Array(N), opts: { rounding: 'round' } }), true);
  });
});
