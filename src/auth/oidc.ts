import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { OidcProviderConfig } from '../config.ts';
import { OpenEOError } from '../errors.ts';

export interface OidcIdentity {
  provider: string;
  subject: string;
  email?: string;
  name?: string;
}

/** Verifies access tokens (JWTs) of the configured providers against their JWKS, found through discovery. */
export class OidcVerifier {
  private readonly jwks = new Map<string, Promise<ReturnType<typeof createRemoteJWKSet>>>();
  constructor(
    private readonly providers: OidcProviderConfig[],
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  provider(id: string): OidcProviderConfig | undefined {
    return this.providers.find((p) => p.id === id);
  }

  async verify(providerId: string, token: string): Promise<OidcIdentity> {
    const provider = this.provider(providerId);
    if (!provider) throw new OpenEOError('TokenInvalid', `Unknown OpenID Connect provider '${providerId}'.`);
    const keys = await this.keysFor(provider);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: provider.issuer,
        ...(provider.audience ? { audience: provider.audience } : {}),
      }));
    } catch (e) {
      throw new OpenEOError('TokenInvalid', `Authorization token has expired or is invalid: ${(e as Error).message}`);
    }
    if (!payload.sub) throw new OpenEOError('TokenInvalid', 'The access token has no subject (sub).');
    return {
      provider: provider.id,
      subject: payload.sub,
      email: typeof payload.email === 'string' ? payload.email : undefined,
      name: typeof payload.name === 'string' ? payload.name : undefined,
    };
  }

  private keysFor(provider: OidcProviderConfig) {
    let keys = this.jwks.get(provider.id);
    if (!keys) {
      keys = this.discover(provider);
      this.jwks.set(provider.id, keys);
      // A failed discovery is retried on the next request instead of being cached forever.
      keys.catch(() => this.jwks.delete(provider.id));
    }
    return keys;
  }

  private async discover(provider: OidcProviderConfig) {
    const url = `${provider.issuer}/.well-known/openid-configuration`;
    let doc: { jwks_uri?: unknown };
    try {
      const res = await this.fetchImpl(url, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      doc = (await res.json()) as { jwks_uri?: unknown };
    } catch (e) {
      throw new OpenEOError('UpstreamUnavailable', `OpenID Connect provider '${provider.id}' is unreachable: ${(e as Error).message}`);
    }
    if (typeof doc.jwks_uri !== 'string') {
      throw new OpenEOError('UpstreamInvalid', `OpenID Connect provider '${provider.id}' publishes no jwks_uri.`);
    }
    return createRemoteJWKSet(new URL(doc.jwks_uri));
  }
}
