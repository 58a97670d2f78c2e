import { sql, type Kysely } from 'kysely';

/**
 * What a run cost, summed over its chunks as they are written (a chunk redone after a lost lease counts again: that
 * work was done), and each chunk's own figures, for the job's `usage` and for operators.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('job_runs')
    .addColumn('cpu_ms', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('bytes_read', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('bytes_written', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('job_chunks')
    .addColumn('ms', 'integer')
    .addColumn('cpu_ms', 'integer')
    .addColumn('bytes_read', 'bigint')
    .addColumn('bytes_written', 'bigint')
    .execute();
  // pending chunks per user are counted over unfinished chunks only
  await sql`create index job_chunks_pending on job_chunks (job_id) where done_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists job_chunks_pending`.execute(db);
  await db.schema.alterTable('job_chunks').dropColumn('ms').dropColumn('cpu_ms').dropColumn('bytes_read').dropColumn('bytes_written').execute();
  await db.schema.alterTable('job_runs').dropColumn('cpu_ms').dropColumn('bytes_read').dropColumn('bytes_written').execute();
}
