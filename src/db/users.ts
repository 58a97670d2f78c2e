import { randomUUID } from 'node:crypto';
import type { Db } from './database.ts';
import type { UserRow } from './schema.ts';

export async function findUserByName(db: Db, name: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function listUsers(db: Db): Promise<UserRow[]> {
  return db.selectFrom('users').selectAll().orderBy('name').execute();
}

export async function createPasswordUser(db: Db, name: string, passwordHash: string): Promise<UserRow> {
  return db
    .insertInto('users')
    .values({ id: randomUUID(), name, password_hash: passwordHash, oidc_provider: null, oidc_subject: null, email: null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function setPasswordHash(db: Db, userId: string, passwordHash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
}

/** Finds or creates the user behind an OIDC subject; safe against two first logins racing. */
export async function upsertOidcUser(
  db: Db,
  provider: string,
  subject: string,
  info: { name?: string; email?: string },
): Promise<UserRow> {
  const existing = await db
    .selectFrom('users')
    .selectAll()
    .where('oidc_provider', '=', provider)
    .where('oidc_subject', '=', subject)
    .executeTakeFirst();
  if (existing) return existing;
  // The user name must be unique across providers and password users, so it is derived from provider + subject.
  const name = `${provider}/${subject}`;
  await db
    .insertInto('users')
    .values({
      id: randomUUID(),
      name,
      password_hash: null,
      oidc_provider: provider,
      oidc_subject: subject,
      email: info.email ?? null,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
  return db
    .selectFrom('users')
    .selectAll()
    .where('oidc_provider', '=', provider)
    .where('oidc_subject', '=', subject)
    .executeTakeFirstOrThrow();
}
