/**
 * Connection to the S3 test server: S3_* variables as printed by .ci/services/swift-s3/start.sh, defaulting to
 * that script's tempauth account on http://127.0.0.1:9000. Each test file works in its own random prefix of one
 * shared bucket and deletes it afterwards.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { S3StoreConfig } from '../../src/storage/index.ts';
import { S3ObjectStore } from '../../src/storage/s3-store.ts';

export function s3TestConfig(overrides: Partial<S3StoreConfig> = {}): S3StoreConfig {
  const env = process.env;
  return {
    bucket: env.S3_TEST_BUCKET ?? 'openeo-storage-test',
    endpoint: env.S3_ENDPOINT ?? 'http://127.0.0.1:9000',
    region: env.S3_REGION ?? 'us-east-1',
    forcePathStyle: (env.S3_FORCE_PATH_STYLE ?? 'true') === 'true',
    credentials: {
      accessKeyId: env.S3_ACCESS_KEY_ID ?? 'test:tester',
      secretAccessKey: env.S3_SECRET_ACCESS_KEY ?? 'testing',
    },
    // Short delays: the test server does not throttle, and failures should surface quickly.
    retry: { maxAttempts: 3, baseDelayMs: 20 },
    ...overrides,
  };
}

/** Any HTTP answer counts: S3 servers answer anonymous requests with an error document. */
async function reachable(endpoint: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request(endpoint, { method: 'GET', timeout: 5000 }, (res) => {
      res.resume();
      resolve(undefined);
    });
    req.on('timeout', () => req.destroy(new Error('timeout after 5 s')));
    req.on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? e.message));
    req.end();
  });
}

/** A store under a fresh random prefix of the test bucket (created if needed); fails clearly without a server. */
export async function openS3TestStore(overrides: Partial<S3StoreConfig> = {}): Promise<S3ObjectStore> {
  const config = s3TestConfig({ prefix: `t-${randomBytes(5).toString('hex')}`, ...overrides });
  const problem = await reachable(config.endpoint!);
  if (problem) {
    throw new Error(
      `S3 test server not reachable at ${config.endpoint} (${problem}). Start it with ` +
        '`SWIFT_S3_COMPAT=0 .ci/services/swift-s3/start.sh` or point S3_ENDPOINT, S3_ACCESS_KEY_ID, ' +
        'S3_SECRET_ACCESS_KEY at another S3-compatible server.',
    );
  }
  const store = new S3ObjectStore(config);
  await store.ensureBucket();
  return store;
}
