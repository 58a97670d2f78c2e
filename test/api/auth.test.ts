import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { hashPassword } from '../../src/auth/passwords.ts';
import { hashToken } from '../../src/auth/tokens.ts';
import { createPasswordUser, findUserByName } from '../../src/db/users.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { assertOfficialResponse } from '../helpers/official-spec.ts';
import { startOidcProvider, type LocalOidcProvider } from '../helpers/oidc-provider.ts';

describe('HTTP Basic login and bearer tokens', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ env: { LOGIN_ATTEMPTS_PER_MINUTE: '5' } });
    await createPasswordUser(t.ctx.db, 'erin', await hashPassword('s3cret-password'));
  });
  after(() => t.close());

  it('issues an opaque token stored only as a hash, usable as Bearer basic//TOKEN', async () => {
    const res = await request(t.app).get('/credentials/basic').auth('erin', 's3cret-password').expect(200);
    assertOfficialResponse(res);
    const token = res.body.access_token as string;
    assert.ok(token.length >= 40);
    const stored = await t.ctx.db.selectFrom('tokens').select('token_hash').execute();
    assert.ok(stored.every((r) => r.token_hash !== token));
    assert.ok(stored.some((r) => r.token_hash === hashToken(token)));
    const me = await request(t.app).get('/me').set('Authorization', `Bearer basic//${token}`).expect(200);
    assertOfficialResponse(me);
    assert.equal(me.body.name, 'erin');
  });

  it('stores passwords with argon2id', async () => {
    const user = await findUserByName(t.ctx.db, 'erin');
    assert.match(user!.password_hash!, /^\$argon2id\$/);
  });

  it('401 without credentials, 403 for wrong ones, wrong schemes and bad tokens', async () => {
    const none = await request(t.app).get('/credentials/basic').expect(401);
    assert.equal(none.body.code, 'AuthenticationRequired');
    assertOfficialResponse(none);
    const wrong = await request(t.app).get('/credentials/basic').auth('erin', 'nope').expect(403);
    assert.equal(wrong.body.code, 'CredentialsInvalid');
    assertOfficialResponse(wrong);
    const unknown = await request(t.app).get('/credentials/basic').auth('nobody', 'nope').expect(403);
    assert.equal(unknown.body.code, 'CredentialsInvalid');
    const scheme = await request(t.app).get('/credentials/basic').set('Authorization', 'Bearer abc').expect(403);
    assert.equal(scheme.body.code, 'AuthenticationSchemeInvalid');

    const noAuth = await request(t.app).get('/me').expect(401);
    assert.equal(noAuth.body.code, 'AuthenticationRequired');
    assertOfficialResponse(noAuth);
    for (const header of ['Bearer basic//not-a-token', 'Bearer oidc/unknown/abc.def.ghi']) {
      const res = await request(t.app).get('/me').set('Authorization', header).expect(403);
      assert.equal(res.body.code, 'TokenInvalid', header);
      assertOfficialResponse(res);
    }
    for (const header of ['Basic Zm9vOmJhcg==', 'Bearer something-else', 'Token x']) {
      const res = await request(t.app).get('/me').set('Authorization', header).expect(403);
      assert.equal(res.body.code, 'AuthenticationSchemeInvalid', header);
    }
  });

  it('rejects expired tokens', async () => {
    const res = await request(t.app).get('/credentials/basic').auth('erin', 's3cret-password').expect(200);
    await t.ctx.db.updateTable('tokens').set({ expires: new Date(Date.now() - 1000) }).where('token_hash', '=', hashToken(res.body.access_token)).execute();
    const me = await request(t.app).get('/me').set('Authorization', `Bearer basic//${res.body.access_token}`).expect(403);
    assert.equal(me.body.code, 'TokenInvalid');
  });

  it('slows down password guessing per user', async () => {
    await createPasswordUser(t.ctx.db, 'target', await hashPassword('the-right-password'));
    for (let i = 0; i < 5; i++) await request(t.app).get('/credentials/basic').auth('target', `guess-${i}`).expect(403);
    const blocked = await request(t.app).get('/credentials/basic').auth('target', 'the-right-password').expect(429);
    assert.equal(blocked.body.code, 'TooManyRequests');
    const retry = Number(blocked.headers['retry-after']);
    assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, `Retry-After: ${blocked.headers['retry-after']}`);
  });
});

describe('login limit per client address, with and without a trusted proxy', () => {
  /** Five failures of one client (X-Forwarded-For `guesser`), then the right password from another (`user`). */
  async function otherClientAfterGuessing(trustProxy: string | undefined) {
    const t = await createTestApp({ env: { LOGIN_ATTEMPTS_PER_MINUTE: '5', ...(trustProxy ? { TRUST_PROXY: trustProxy } : {}) } });
    try {
      await createPasswordUser(t.ctx.db, 'victim', await hashPassword('the-right-password'));
      for (let i = 0; i < 5; i++) await request(t.app).get('/credentials/basic').set('X-Forwarded-For', '203.0.113.7').auth(`guess${i}`, 'wrong').expect(403);
      return (await request(t.app).get('/credentials/basic').set('X-Forwarded-For', '198.51.100.2').auth('victim', 'the-right-password')).status;
    } finally {
      await t.close();
    }
  }

  it('behind a trusted proxy, one client guessing does not lock out the others', async () => {
    assert.equal(await otherClientAfterGuessing('loopback'), 200);
  });

  it('without TRUST_PROXY the header is not believed: every request is the same client', async () => {
    assert.equal(await otherClientAfterGuessing(undefined), 429);
  });
});

describe('OpenID Connect bearer tokens from a real provider', () => {
  let t: TestApp;
  let op: LocalOidcProvider;
  before(async () => {
    op = await startOidcProvider('openeo-backend', ['scientist', 'other']);
    t = await createTestApp({
      env: { OIDC_PROVIDERS: JSON.stringify([{ id: 'local', issuer: op.issuer, title: 'Local OP', audience: 'openeo-backend', scopes: ['openid'] }]) },
    });
  });
  after(async () => {
    await t.close();
    await op.close();
  });

  it('lists the provider on /credentials/oidc', async () => {
    const res = await request(t.app).get('/credentials/oidc').expect(200);
    assertOfficialResponse(res);
    assert.equal(res.body.providers[0].id, 'local');
    assert.equal(res.body.providers[0].issuer, op.issuer);
  });

  it('accepts a verified access token and creates the user on first login, once', async () => {
    const token = await op.token('scientist');
    const me1 = await request(t.app).get('/me').set('Authorization', `Bearer oidc/local/${token}`).expect(200);
    const me2 = await request(t.app).get('/me').set('Authorization', `Bearer oidc/local/${await op.token('scientist')}`).expect(200);
    assert.equal(me1.body.user_id, me2.body.user_id);
    const other = await request(t.app).get('/me').set('Authorization', `Bearer oidc/local/${await op.token('other')}`).expect(200);
    assert.notEqual(other.body.user_id, me1.body.user_id);
    const job = await request(t.app)
      .post('/jobs')
      .set('Authorization', `Bearer oidc/local/${token}`)
      .send({ process: { process_graph: { a: { process_id: 'add', arguments: { x: 1, y: 1 }, result: true } } } })
      .expect(201);
    const id = job.headers['openeo-identifier'];
    await request(t.app).get(`/jobs/${id}`).set('Authorization', `Bearer oidc/local/${await op.token('other')}`).expect(404);
  });

  it('rejects tampered tokens, wrong audiences and unknown providers with 403', async () => {
    const token = await op.token('scientist');
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    payload.sub = 'someone-else';
    const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    for (const header of [`Bearer oidc/local/${forged}`, `Bearer oidc/nope/${token}`, 'Bearer oidc/local/garbage']) {
      const res = await request(t.app).get('/me').set('Authorization', header).expect(403);
      assert.equal(res.body.code, 'TokenInvalid', header);
    }
    const strict = await createTestApp({
      env: { OIDC_PROVIDERS: JSON.stringify([{ id: 'local', issuer: op.issuer, audience: 'another-service' }]) },
    });
    try {
      const res = await request(strict.app).get('/me').set('Authorization', `Bearer oidc/local/${token}`).expect(403);
      assert.equal(res.body.code, 'TokenInvalid');
    } finally {
      await strict.close();
    }
  });
});
