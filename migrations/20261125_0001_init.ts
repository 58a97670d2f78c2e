import { sql, type Kysely } from 'kysely';

// Millisecond precision, so that a timestamp survives the round trip through a JS Date (keyset page cursors).
const ts = sql`timestamptz(3)`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text')
    .addColumn('oidc_provider', 'text')
    .addColumn('oidc_subject', 'text')
    .addColumn('email', 'text')
    .addColumn('created', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('users_oidc_unique', ['oidc_provider', 'oidc_subject'])
    .execute();

  await db.schema
    .createTable('tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tokens_user_idx').on('tokens').column('user_id').execute();

  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('title', 'text')
    .addColumn('description', 'text')
    .addColumn('process', 'jsonb', (c) => c.notNull())
    .addColumn('plan', 'text')
    .addColumn('budget', 'double precision')
    .addColumn('log_level', 'text', (c) => c.notNull().defaultTo('info'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('created'))
    .addColumn('progress', 'double precision')
    .addColumn('run', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('queued', ts)
    .addColumn('started', ts)
    .addColumn('finished', ts)
    .addColumn('usage', 'jsonb')
    .addColumn('results', 'jsonb')
    .addCheckConstraint(
      'jobs_status_check',
      sql`status in ('created', 'queued', 'running', 'canceled', 'finished', 'error')`,
    )
    .execute();
  await db.schema.createIndex('jobs_user_created_idx').on('jobs').columns(['user_id', 'created', 'id']).execute();
  await db.schema.createIndex('jobs_status_idx').on('jobs').columns(['status', 'queued']).execute();

  await db.schema
    .createTable('job_logs')
    .addColumn('seq', 'bigserial', (c) => c.primaryKey())
    .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('run', 'integer', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('code', 'text')
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('data', 'jsonb')
    .addColumn('path', 'jsonb')
    .addColumn('time', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('job_logs_job_idx').on('job_logs').columns(['job_id', 'seq']).execute();

  await db.schema
    .createTable('process_graphs')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('process', 'jsonb', (c) => c.notNull())
    .addColumn('created', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated', ts, (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('process_graphs_pk', ['user_id', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['process_graphs', 'job_logs', 'jobs', 'tokens', 'users']) await db.schema.dropTable(t).execute();
}
