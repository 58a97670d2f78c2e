import type { Limits } from '../config.ts';
import type { Db } from '../db/database.ts';
import type { UserRow } from '../db/schema.ts';
import { deleteExpiredTokens, findTokenUser, insertToken } from '../db/tokens.ts';
import { findUserById, findUserByName, upsertOidcUser } from '../db/users.ts';
import { OpenEOError } from '../errors.ts';
import type { OidcVerifier } from './oidc.ts';
import { dummyPasswordHash, verifyPassword } from './passwords.ts';
import { FailureLimiter } from './rate-limit.ts';
import { hashToken, newToken } from './tokens.ts';

export interface BasicLogin {
  access_token: string;
  expires_in: number;
}

export class AuthService {
  private readonly limiter: FailureLimiter;
  constructor(
    private readonly db: Db,
    private readonly limits: Limits,
    private readonly oidc: OidcVerifier,
  ) {
    this.limiter = new FailureLimiter(limits.loginAttemptsPerMinute);
  }

  /** HTTP Basic → a new opaque token. */
  async loginBasic(authorization: string | undefined, clientIp: string): Promise<BasicLogin> {
    const creds = parseBasic(authorization);
    const keys = [`ip:${clientIp}`, `user:${creds.user}`];
    const blockedMs = Math.max(...keys.map((k) => this.limiter.blockedForMs(k)));
    if (blockedMs > 0) {
      const seconds = Math.ceil(blockedMs / 1000);
      throw new OpenEOError('TooManyRequests', `Too many failed login attempts. Please try again in ${seconds} s.`, { headers: { 'Retry-After': String(seconds) } });
    }
    const user = await findUserByName(this.db, creds.user);
    const ok = await verifyPassword(user?.password_hash ?? (await dummyPasswordHash()), creds.password);
    if (!user || !ok) {
      keys.forEach((k) => this.limiter.fail(k));
      throw new OpenEOError('CredentialsInvalid', 'Credentials are not correct.');
    }
    keys.forEach((k) => this.limiter.reset(k));
    const token = newToken();
    const now = Date.now();
    await insertToken(this.db, hashToken(token), user.id, new Date(now + this.limits.tokenTtlSeconds * 1000));
    // Housekeeping piggybacks on logins so that expired tokens do not pile up.
    if (Math.random() < 0.05) await deleteExpiredTokens(this.db, new Date(now));
    return { access_token: token, expires_in: this.limits.tokenTtlSeconds };
  }

  /** `Authorization: Bearer basic//TOKEN` or `Bearer oidc/<provider>/<JWT>` → the user. */
  async authenticate(authorization: string | undefined): Promise<UserRow> {
    if (!authorization) throw new OpenEOError('AuthenticationRequired', 'Unauthorized: this endpoint requires authentication.');
    const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!m) {
      throw new OpenEOError('AuthenticationSchemeInvalid', 'Authentication method not supported: send "Authorization: Bearer basic//<token>" or "Bearer oidc/<provider>/<token>".');
    }
    const bearer = m[1];
    if (bearer.startsWith('basic//')) {
      const userId = await findTokenUser(this.db, hashToken(bearer.slice('basic//'.length)), new Date());
      const user = userId ? await findUserById(this.db, userId) : undefined;
      if (!user) throw new OpenEOError('TokenInvalid', 'Authorization token has expired or is invalid. Please authenticate again.');
      return user;
    }
    const oidc = /^oidc\/([^/]+)\/(.+)$/.exec(bearer);
    if (oidc) {
      const identity = await this.oidc.verify(oidc[1], oidc[2]);
      return upsertOidcUser(this.db, identity.provider, identity.subject, identity);
    }
    throw new OpenEOError('AuthenticationSchemeInvalid', 'Authentication method not supported: the bearer token must start with "basic//" or "oidc/<provider>/".');
  }
}

function parseBasic(authorization: string | undefined): { user: string; password: string } {
  if (!authorization) throw new OpenEOError('AuthenticationRequired', 'Unauthorized: send HTTP Basic credentials.');
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization.trim());
  if (!m) throw new OpenEOError('AuthenticationSchemeInvalid', 'Authentication method not supported: use HTTP Basic on this endpoint.');
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) throw new OpenEOError('CredentialsInvalid', 'Credentials are not correct.');
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
