import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OpenEOError } from '../../src/errors.ts';
import { groupByDatetime } from '../../src/catalog/group.ts';
import { bboxToGeometry, geometriesIntersect, matchesInterval } from '../../src/catalog/filter.ts';
import type { StacItem } from '../../src/catalog/types.ts';
import { makeItem } from './fixture-items.ts';

const item = (id: string, datetime: string | null, extra: Record<string, unknown> = {}): StacItem =>
  ({ type: 'Feature', id, geometry: null, properties: { datetime, ...extra }, assets: {} });

describe('groupByDatetime', () => {
  it('forms one ascending step per identical instant, items sorted by id', () => {
    const steps = groupByDatetime([
      item('b', '2023-08-02T01:00:00Z'),
      item('Z', '2023-08-01T05:00:00Z'),
      item('a', '2023-08-02T01:00:00.000Z'), // same instant, other spelling
      item('B', '2023-08-02T01:00:00Z'),
      item('c', '2023-08-02T03:00:00+02:00'), // = 01:00Z
      item('d', '2023-08-01T05:00:00.250Z'),
    ]);
    assert.deepEqual(steps.map((s) => s.label), ['2023-08-01T05:00:00Z', '2023-08-01T05:00:00.250Z', '2023-08-02T01:00:00Z']);
    // Code-unit order as Python's sorted(): upper case before lower case.
    assert.deepEqual(steps[2].items.map((i) => i.id), ['B', 'a', 'b', 'c']);
    assert.equal(steps[0].time, Date.UTC(2023, 7, 1, 5));
  });

  it('groups EODC-like items of adjacent tiles sharing a timestamp', () => {
    const steps = groupByDatetime([
      makeItem('E018N027T3', '2023-08-03T01:23:45Z'), makeItem('E015N027T3', '2023-08-03T01:23:45Z'),
      makeItem('E015N027T3', '2023-08-01T01:23:45Z'),
    ]);
    assert.deepEqual(steps.map((s) => s.items.map((i) => i.properties.Equi7Tile)), [['E015N027T3'], ['E015N027T3', 'E018N027T3']]);
  });

  it('uses start_datetime for ranges and rejects items without a time', () => {
    const steps = groupByDatetime([item('r', null, { start_datetime: '2023-01-01T00:00:00Z', end_datetime: '2023-02-01T00:00:00Z' })]);
    assert.equal(steps[0].label, '2023-01-01T00:00:00Z');
    assert.throws(() => groupByDatetime([item('x', null)]), (e: unknown) => e instanceof OpenEOError && e.code === 'UpstreamInvalid');
    assert.throws(() => groupByDatetime([item('y', 'yesterday')]), /invalid date-time 'yesterday'/);
  });
});

describe('local filters', () => {
  const square = bboxToGeometry([0, 0, 10, 10]);
  it('intersects polygons by edges and containment, not by bbox', () => {
    assert.ok(geometriesIntersect(square, bboxToGeometry([5, 5, 20, 20])));
    assert.ok(geometriesIntersect(square, bboxToGeometry([2, 2, 3, 3]))); // contained
    assert.ok(geometriesIntersect(bboxToGeometry([2, 2, 3, 3]), square)); // containing
    assert.ok(geometriesIntersect(square, bboxToGeometry([10, 10, 11, 11]))); // touching corner
    const tri = { type: 'Polygon' as const, coordinates: [[[0, 0], [10, 0], [0, 10], [0, 0]]] };
    assert.ok(!geometriesIntersect(tri, bboxToGeometry([8, 8, 9, 9]))); // inside the bbox of the triangle only
    assert.ok(geometriesIntersect(tri, { type: 'Point', coordinates: [1, 1] }));
    assert.ok(!geometriesIntersect(tri, { type: 'Point', coordinates: [9, 9] }));
  });
  it('splits bboxes crossing the antimeridian', () => {
    const g = bboxToGeometry([170, -10, -170, 10]);
    assert.ok(geometriesIntersect(g, { type: 'Point', coordinates: [175, 0] }));
    assert.ok(geometriesIntersect(g, { type: 'Point', coordinates: [-175, 0] }));
    assert.ok(!geometriesIntersect(g, { type: 'Point', coordinates: [0, 0] }));
  });
  it('treats the interval end as exclusive and null bounds as open', () => {
    const i = item('a', '2023-08-02T00:00:00Z');
    assert.ok(matchesInterval(i, ['2023-08-02', '2023-08-03']));
    assert.ok(!matchesInterval(i, ['2023-08-01', '2023-08-02']));
    assert.ok(matchesInterval(i, [null, null]));
    const range = item('r', null, { start_datetime: '2023-01-01T00:00:00Z', end_datetime: '2023-02-01T00:00:00Z' });
    assert.ok(matchesInterval(range, ['2023-01-15', '2023-01-16']));
    assert.ok(!matchesInterval(range, ['2023-02-02', null]));
  });
});
