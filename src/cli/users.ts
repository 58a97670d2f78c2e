import { randomBytes } from 'node:crypto';
import { hashPassword } from '../auth/passwords.ts';
import { migrateToLatest, openDatabase } from '../db/database.ts';
import { revokeUserTokens } from '../db/tokens.ts';
import { createPasswordUser, findUserByName, listUsers, setPasswordHash } from '../db/users.ts';
import type { Config } from '../config.ts';

async function readPassword(given: string | undefined): Promise<{ password: string; generated: boolean }> {
  if (given) return { password: given, generated: false };
  if (process.env.OPENEO_PASSWORD) return { password: process.env.OPENEO_PASSWORD, generated: false };
  return { password: randomBytes(12).toString('base64url'), generated: true };
}

/** `users add NAME [PASSWORD]`, `users passwd NAME [PASSWORD]`, `users list`. */
export async function users(config: Config, args: string[]): Promise<number> {
  const [sub, name, pw] = args;
  const handle = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(handle.db);
    if (sub === 'list') {
      for (const u of await listUsers(handle.db)) {
        const kind = u.oidc_provider ? `oidc:${u.oidc_provider}` : 'basic';
        process.stdout.write(`${u.name}\t${kind}\t${u.id}\t${new Date(u.created).toISOString()}\n`);
      }
      return 0;
    }
    if ((sub !== 'add' && sub !== 'passwd') || !name) {
      process.stderr.write('usage: openeo-backend users add|passwd NAME [PASSWORD] | users list\n');
      return 2;
    }
    const { password, generated } = await readPassword(pw);
    if (password.length < 8) {
      process.stderr.write('The password must have at least 8 characters.\n');
      return 2;
    }
    const existing = await findUserByName(handle.db, name);
    if (sub === 'add') {
      if (existing) {
        process.stderr.write(`User '${name}' exists already; use 'users passwd'.\n`);
        return 1;
      }
      await createPasswordUser(handle.db, name, await hashPassword(password));
    } else {
      if (!existing) {
        process.stderr.write(`No user '${name}'.\n`);
        return 1;
      }
      await setPasswordHash(handle.db, existing.id, await hashPassword(password));
      // A new password ends every session of the old one.
      await revokeUserTokens(handle.db, existing.id);
    }
    process.stdout.write(`${sub === 'add' ? 'Created' : 'Updated'} user '${name}'.${generated ? ` Password: ${password}` : ''}\n`);
    return 0;
  } finally {
    await handle.close();
  }
}
