import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ERROR_STATUS } from '../../src/errors.ts';

const official = JSON.parse(readFileSync(new URL('../../../shared/reference/openeo-api/errors.json', import.meta.url), 'utf8')) as Record<string, { http: number }>;

describe('error table', () => {
  it('gives every official code we use the official HTTP status', () => {
    const shared = Object.keys(ERROR_STATUS).filter((c) => c in official);
    assert.ok(shared.length >= 30, `we use ${shared.length} official codes`);
    for (const code of shared) assert.equal(ERROR_STATUS[code as keyof typeof ERROR_STATUS], official[code].http, code);
  });

  it('uses our own codes only for conditions the official list lacks, with sensible statuses', () => {
    const own = Object.keys(ERROR_STATUS).filter((c) => !(c in official));
    assert.deepEqual(own.sort(), ['BadRequest', 'FormatUnsupported', 'NoDataAvailable', 'PayloadTooLarge', 'ResultLinkInvalid', 'TooManyRequests', 'UpstreamInvalid', 'UpstreamUnavailable'].sort());
    for (const code of own) {
      const s = ERROR_STATUS[code as keyof typeof ERROR_STATUS];
      assert.ok(s >= 400 && s < 600, code);
    }
  });
});
