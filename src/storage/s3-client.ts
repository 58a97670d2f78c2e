/** The SDK client of an S3 store (only modules that talk to S3 load the SDK: it costs ~130 ms and ~20 MB). */
import { S3Client } from '@aws-sdk/client-s3';
import type { ResolvedS3Config } from './s3-config.ts';
import { createRetryStrategy } from './s3-retry.ts';

export function createS3Client(config: Readonly<ResolvedS3Config>): S3Client {
  return new S3Client({
    endpoint: config.endpoint,
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    credentials: config.credentials,
    requestChecksumCalculation: config.requestChecksumCalculation,
    responseChecksumValidation: config.responseChecksumValidation,
    retryStrategy: createRetryStrategy(config.retry),
  });
}
