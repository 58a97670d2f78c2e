/** Planes from typed arrays and back (numpy `astype` / `rint` as the oracle for in-range values), mask, band helpers. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import {
  allocPlane,
  bandIndex,
  countValid,
  mask,
  planeFromArray,
  planesFromInterleaved,
  selectBands,
  stackPlanes,
  writePlane,
} from '../../src/datacube/kernels/index.ts';
import { assertSamePlane } from './oracle.ts';

describe('planeFromArray', () => {
  test('uint8 with nodata 255 gives a float32 plane and a mask', () => {
    const p = planeFromArray(Uint8Array.of(0, 255, 7, 255, 254));
    assert.ok(p.data instanceof Float32Array);
    assert.equal(p.valid, null);
    const q = planeFromArray(Uint8Array.of(0, 255, 7, 255, 254), { nodata: 255 });
    assert.deepEqual([...q.valid!], [1, 0, 1, 0, 1]);
    assert.deepEqual([...q.data], [0, 255, 7, 255, 254]);
    assert.equal(countValid(q), 3);
  });

  test('wide integers need float64; float sources are used without copy; NaN nodata masks NaN', () => {
    assert.ok(planeFromArray(Int32Array.of(-2147483648, 2147483647)).data instanceof Float64Array);
    const f = Float32Array.of(1.5, NaN, -9999.9);
    assert.equal(planeFromArray(f).data, f);
    assert.deepEqual([...planeFromArray(f, { nodata: NaN }).valid!], [1, 0, 1]);
    // float32 nodata compares in float32, like GDAL
    assert.deepEqual([...planeFromArray(f, { nodata: -9999.9 }).valid!], [1, 1, 0]);
  });

  test('into: reuses the given buffers for each time step', () => {
    const into = allocPlane(4, 'float32');
    const p = planeFromArray(Uint16Array.of(1, 2, 65535, 4), { nodata: 65535, into });
    assert.equal(p.data, into.data);
    assert.equal(p.valid, into.valid);
    assert.deepEqual([...p.valid!], [1, 1, 0, 1]);
    assert.throws(() => planeFromArray(Uint32Array.of(1, 2, 3, 4), { into }), TypeError);
  });
});

describe('writePlane', () => {
  const values = [0, 0.4, 0.5, 0.6, 1.5, 2.5, 3.5, 99.99, 127.5, 128.5, 200.2, 254.5, 254.9, -0.5];
  const numpy = (expr: string) =>
    JSON.parse(execFileSync('/usr/bin/python3', ['-c', `import numpy as np, json; a = np.array(${JSON.stringify(values)}); print(json.dumps(${expr}.tolist()))`], { encoding: 'utf8' }));

  test('float → uint8 truncates like numpy astype, and rounds half to even like numpy rint', () => {
    const plane = { data: Float64Array.from(values), valid: null };
    const trunc = new Uint8Array(values.length);
    writePlane(plane, 'uint8', trunc);
    assert.deepEqual([...trunc], numpy('a.astype(np.uint8)'));
    const round = new Uint8Array(values.length);
    writePlane(plane, 'uint8', round, { rounding: 'round' });
    assert.deepEqual([...round], numpy('np.rint(a).astype(np.uint8)'));
  });

  test('no-data, NaN and out-of-range values', () => {
    const plane = { data: Float64Array.of(5, NaN, 300, -7, Infinity, -Infinity, 42), valid: Uint8Array.of(1, 1, 1, 1, 1, 1, 0) };
    const out = new Uint8Array(7);
    writePlane(plane, 'uint8', out, { nodata: 255 });
    // valid values stop next to a no-data value at the type's bound: 300 and +Infinity are 254, not no-data
    assert.deepEqual([...out], [5, 255, 254, 0, 254, 0, 255]);
    const i8 = new Int8Array(7);
    writePlane(plane, 'int8', i8, { nodata: -128 });
    assert.deepEqual([...i8], [5, -128, 127, -7, 127, -127, -128]);
    const noDeclared = new Uint8Array(7);
    writePlane(plane, 'uint8', noDeclared, { nodata: null });
    assert.deepEqual([...noDeclared], [5, 0, 255, 0, 255, 0, 0], 'without a declared no-data the whole range is valid');
    const i16 = new Int16Array(7);
    writePlane(plane, 'int16', i16);
    assert.deepEqual([...i16], [5, 0, 300, -7, 32767, -32768, 0]);
    const f32 = new Float32Array(7);
    writePlane(plane, 'float32', f32, { nodata: -9999 });
    assert.deepEqual([...f32], [5, NaN, 300, -7, Infinity, -Infinity, -9999]);
    const f64 = new Float64Array(2);
    writePlane({ data: Float64Array.of(1.25, 2), valid: null }, 'float64', f64);
    assert.deepEqual([...f64], [1.25, 2]);
  });
});

describe('mask', () => {
  // data: 6 pixels, the last one no-data; mask: non-zero, zero, NaN, true (1), no-data, zero
  const data = { data: Float64Array.of(10, 20, 30, 40, 50, 60), valid: Uint8Array.of(1, 1, 1, 1, 1, 0) };
  const m = { data: Float64Array.of(3, 0, NaN, 1, 0, 0), valid: Uint8Array.of(1, 1, 1, 1, 0, 1) };

  test('non-zero, NaN and true mask values replace; zero keeps; a no-data mask keeps by default', () => {
    assertSamePlane(mask(data, m, null), [null, 20, null, null, 50, null], 'replacement null');
    assertSamePlane(mask(data, m, -1), [-1, 20, -1, -1, 50, null], 'replacement -1');
    assertSamePlane(mask(data, m, 0, undefined, { nodataMask: 'replace' }), [0, 20, 0, 0, 0, null], 'no-data mask replaces');
  });

  test('writes into the data buffers when asked', () => {
    const own = { data: Float64Array.from(data.data), valid: Uint8Array.from(data.valid) };
    const out = mask(own, { data: Float64Array.of(0, 1, 0, 0, 0, 0), valid: null }, null, own);
    assert.equal(out.data, own.data);
    assertSamePlane(out, [10, null, 30, 40, 50, null], 'in place');
  });
});

describe('bands', () => {
  test('bandIndex and selectBands', () => {
    const labels = ['B02', 'B04', 'B08'];
    assert.equal(bandIndex(labels, 'B08'), 2);
    assert.equal(bandIndex(labels, 1), 1);
    assert.equal(bandIndex(labels, 'B11'), -1);
    assert.deepEqual(selectBands(['a', 'b', 'c'], labels, ['B08', 'B02']), ['c', 'a']);
    assert.throws(() => selectBands(['a', 'b', 'c'], labels, ['B11']), /B11/);
  });

  test('planesFromInterleaved and stackPlanes', () => {
    const planes = planesFromInterleaved(Uint8Array.of(1, 2, 3, 4, 5, 255), 2, [null, 255]);
    assert.deepEqual([...planes[0].data], [1, 3, 5]);
    assert.equal(planes[0].valid, null);
    assert.deepEqual([...planes[1].data], [2, 4, 255]);
    assert.deepEqual([...planes[1].valid!], [1, 1, 0]);
    const s = stackPlanes(planes);
    assert.deepEqual([...s.data], [1, 3, 5, 2, 4, 255]);
    assert.deepEqual([...s.valid!], [1, 1, 1, 1, 1, 0]);
  });
});
