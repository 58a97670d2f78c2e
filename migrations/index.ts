import type { Migration } from 'kysely';
import * as init from './20261125_0001_init.ts';
import * as distributed from './20261125_0002_distributed.ts';
import * as runUsage from './20261125_0003_run_usage.ts';

/** Every migration, in order. Listed explicitly so that a stray file never runs. */
export const migrations: Record<string, Migration> = {
  '20261125_0001_init': init,
  '20261125_0002_distributed': distributed,
  '20261125_0003_run_usage': runUsage,
};
