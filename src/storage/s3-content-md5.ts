/**
 * Content-MD5 on DeleteObjects. Stock OpenStack Swift (and other stores predating the AWS SDK's 2025 checksum
 * change) require it and answer 400 to the CRC32 checksum the SDK sends instead. The header must be set before
 * the request is signed, or the signature no longer matches.
 */
import { createHash } from 'node:crypto';
import type { DeleteObjectsCommand } from '@aws-sdk/client-s3';

/** Adds Content-MD5 and drops the SDK's flexible checksum headers; must run before signing. */
export function useContentMd5(command: DeleteObjectsCommand): void {
  type Middleware = Parameters<DeleteObjectsCommand['middlewareStack']['addRelativeTo']>[0];
  type Args = { request: unknown };
  const middleware = (next: (args: Args) => Promise<unknown>) => async (args: Args) => {
    const request = args.request as { headers?: Record<string, string>; body?: unknown };
    if (request.headers && (typeof request.body === 'string' || request.body instanceof Uint8Array)) {
      for (const name of Object.keys(request.headers)) {
        if (/^x-amz-checksum-|^x-amz-sdk-checksum-algorithm$/i.test(name)) delete request.headers[name];
      }
      request.headers['content-md5'] = createHash('md5').update(request.body).digest('base64');
    }
    return next(args);
  };
  command.middlewareStack.addRelativeTo(middleware as unknown as Middleware, {
    relation: 'before',
    toMiddleware: 'awsAuthMiddleware',
    name: 'openeoDeleteContentMd5',
    override: true,
  });
}
