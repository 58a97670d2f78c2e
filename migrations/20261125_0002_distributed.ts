import { sql, type Kysely } from 'kysely';

/**
 * State of distributed job runs: the output plans of a run and its chunk list with a done mark per chunk. The queue
 * (pg-boss, in its own schema) only carries ids; what was done survives worker crashes here.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('job_runs')
    .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('run', 'integer', (c) => c.notNull())
    .addColumn('chunks_total', 'integer', (c) => c.notNull())
    .addColumn('finalize_queued', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('started', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('job_runs_pk', ['job_id', 'run'])
    .execute();

  await db.schema
    .createTable('job_outputs')
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('run', 'integer', (c) => c.notNull())
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('plan', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('job_outputs_pk', ['job_id', 'run', 'idx'])
    .addForeignKeyConstraint('job_outputs_run_fk', ['job_id', 'run'], 'job_runs', ['job_id', 'run'], (c) => c.onDelete('cascade'))
    .execute();

  await db.schema
    .createTable('job_chunks')
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('run', 'integer', (c) => c.notNull())
    .addColumn('output', 'integer', (c) => c.notNull())
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('x0', 'integer', (c) => c.notNull())
    .addColumn('y0', 'integer', (c) => c.notNull())
    .addColumn('w', 'integer', (c) => c.notNull())
    .addColumn('h', 'integer', (c) => c.notNull())
    .addColumn('done_at', sql`timestamptz(3)`)
    .addPrimaryKeyConstraint('job_chunks_pk', ['job_id', 'run', 'output', 'idx'])
    .addForeignKeyConstraint('job_chunks_run_fk', ['job_id', 'run'], 'job_runs', ['job_id', 'run'], (c) => c.onDelete('cascade'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('job_chunks').execute();
  await db.schema.dropTable('job_outputs').execute();
  await db.schema.dropTable('job_runs').execute();
}
