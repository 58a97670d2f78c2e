import { createHmac, timingSafeEqual } from 'node:crypto';
import { OpenEOError } from '../errors.ts';

export interface SignedScope {
  jobId: string;
  run: number;
  /** Unix seconds. */
  expires: number;
}

/**
 * Result links carry `<jobId>.<run>.<expires>.<hmac>`: the HMAC covers the job, its run and the expiry, and grants
 * read access to every key under that job's results prefix — so a Zarr store can be opened through one link.
 */
export class ResultSigner {
  constructor(private readonly secret: string) {
    if (secret.length < 16) throw new Error('the signing secret must have at least 16 characters');
  }

  sign(scope: SignedScope): string {
    const payload = `${scope.jobId}.${scope.run}.${scope.expires}`;
    return `${payload}.${this.mac(payload)}`;
  }

  /** The scope of a token, or an openEO error: ResultLinkInvalid (403) when forged, ResultLinkExpired (410). */
  verify(token: string, now = Date.now()): SignedScope {
    const parts = token.split('.');
    if (parts.length !== 4) throw invalid();
    const [jobId, runRaw, expiresRaw, mac] = parts;
    if (!/^[\w-]{1,64}$/.test(jobId) || !/^\d{1,9}$/.test(runRaw) || !/^\d{1,12}$/.test(expiresRaw)) throw invalid();
    const expected = Buffer.from(this.mac(`${jobId}.${runRaw}.${expiresRaw}`));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
    const expires = Number(expiresRaw);
    if (expires * 1000 < now) {
      throw new OpenEOError('ResultLinkExpired', 'The link to the batch job result has expired. Please request the results again.');
    }
    return { jobId, run: Number(runRaw), expires };
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }
}

const invalid = () => new OpenEOError('ResultLinkInvalid', 'The result link is invalid or has been tampered with.');
