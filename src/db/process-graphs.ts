import { sql } from 'kysely';
import type { Db } from './database.ts';

export interface StoredProcess {
  id: string;
  process: Record<string, unknown>;
  created: Date;
  updated: Date;
}

export async function upsertProcessGraph(db: Db, userId: string, id: string, process: Record<string, unknown>) {
  await db
    .insertInto('process_graphs')
    .values({ user_id: userId, id, process: JSON.stringify(process) })
    .onConflict((oc) =>
      oc.columns(['user_id', 'id']).doUpdateSet({ process: JSON.stringify(process), updated: sql`now()` }),
    )
    .execute();
}

export async function findProcessGraph(db: Db, userId: string, id: string): Promise<StoredProcess | undefined> {
  return db
    .selectFrom('process_graphs')
    .select(['id', 'process', 'created', 'updated'])
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The ids of the user's stored processes (a graph names a dozen processes; one query instead of one per name). */
export async function processGraphIds(db: Db, userId: string): Promise<Set<string>> {
  const rows = await db.selectFrom('process_graphs').select('id').where('user_id', '=', userId).execute();
  return new Set(rows.map((r) => r.id));
}

/** A page of the user's processes by id; no limit: all. */
export async function listProcessGraphs(db: Db, userId: string, limit: number | undefined, afterId?: string) {
  let q = db.selectFrom('process_graphs').select(['id', 'process', 'created', 'updated']).where('user_id', '=', userId);
  if (afterId !== undefined) q = q.where('id', '>', afterId);
  q = q.orderBy('id');
  return (limit === undefined ? q : q.limit(limit)).execute();
}

export async function deleteProcessGraph(db: Db, userId: string, id: string): Promise<boolean> {
  const res = await db
    .deleteFrom('process_graphs')
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .executeTakeFirst();
  return res.numDeletedRows > 0n;
}
