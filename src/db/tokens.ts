import type { Db } from './database.ts';

export async function insertToken(db: Db, tokenHash: string, userId: string, expires: Date): Promise<void> {
  await db.insertInto('tokens').values({ token_hash: tokenHash, user_id: userId, expires }).execute();
}

export async function findTokenUser(db: Db, tokenHash: string, now: Date): Promise<string | undefined> {
  const row = await db
    .selectFrom('tokens')
    .select('user_id')
    .where('token_hash', '=', tokenHash)
    .where('expires', '>', now)
    .executeTakeFirst();
  return row?.user_id;
}

export async function revokeUserTokens(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('tokens').where('user_id', '=', userId).execute();
}

export async function deleteExpiredTokens(db: Db, now: Date): Promise<void> {
  await db.deleteFrom('tokens').where('expires', '<=', now).execute();
}
