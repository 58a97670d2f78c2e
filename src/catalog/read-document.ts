/** Reads one JSON document from a local file, HTTP(S), or S3 (through an injected reader). */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { OpenEOError } from '../errors.ts';
import { describeUrl, fetchJson } from './http-json.ts';
import type { HttpOptions, ReadObject } from './types.ts';

export interface DocumentReadOptions extends HttpOptions {
  /** Needed for s3:// URLs; the storage layer provides it. */
  readObject?: ReadObject;
}

function parseJson(bytes: Uint8Array | string, url: string): unknown {
  try {
    return JSON.parse(typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new OpenEOError('UpstreamInvalid', `The STAC document ${describeUrl(url)} is not valid JSON.`, { cause });
  }
}

export async function readJsonDocument(url: string, opts: DocumentReadOptions, signal?: AbortSignal): Promise<unknown> {
  const protocol = url.slice(0, url.indexOf(':') + 1).toLowerCase();
  if (protocol === 'http:' || protocol === 'https:') return fetchJson({ url }, opts, signal);
  if (protocol === 'file:') {
    let text: string;
    try {
      text = await readFile(fileURLToPath(url), { encoding: 'utf8', signal });
    } catch (cause) {
      if (signal?.aborted) throw signal.reason;
      const code = (cause as { code?: string }).code ?? 'read error';
      throw new OpenEOError('UpstreamUnavailable', `Cannot read the STAC document ${describeUrl(url)} (${code}).`, { cause });
    }
    return parseJson(text, url);
  }
  if (protocol === 's3:') {
    if (!opts.readObject) throw new OpenEOError('FeatureUnsupported', `Reading STAC documents from S3 is not configured (${describeUrl(url)}).`);
    let bytes: Uint8Array;
    try {
      bytes = await opts.readObject(url, signal);
    } catch (cause) {
      if (signal?.aborted) throw signal.reason;
      if (cause instanceof OpenEOError) throw cause;
      throw new OpenEOError('UpstreamUnavailable', `Cannot read the STAC document ${describeUrl(url)} from S3.`, { cause });
    }
    return parseJson(bytes, url);
  }
  throw new OpenEOError('FeatureUnsupported', `Unsupported URL scheme '${protocol}' for a STAC document.`);
}
