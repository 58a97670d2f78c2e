/**
 * The embedded database (PGlite on a folder) belongs to one process: a second process on the same folder runs its
 * own Postgres over the same files, and the two overwrite each other's pages (PGlite aborts, or worse, the data is
 * damaged). A lock file naming the holder's pid keeps a second process out; a lock left by a process that died is
 * taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

/**
 * Takes the lock of the embedded database folder `dir` (the file `dir`.lock beside it, so that the database folder
 * holds only what PGlite writes); returns its release. Throws when another live process holds it.
 */
export function lockEmbeddedDatabase(dir: string): () => void {
  const file = `${dir}.lock`;
  const me = String(process.pid);
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      try {
        writeSync(fd, me);
      } finally {
        closeSync(fd);
      }
      return () => {
        try {
          if (readFileSync(file, 'utf8') === me) unlinkSync(file);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = readHolder(file);
    // the same process opening it again (e.g. a restarted context in tests) is its own business
    if (holder === process.pid) return () => {};
    if (holder !== undefined && isAlive(holder)) {
      throw new Error(
        `The embedded database in ${dir} is in use by process ${holder}. Stop that process first, or point both at one ` +
          'PostgreSQL server with DATABASE_URL (the demo can use a running server: demo --password).',
      );
    }
    // stale (its process is gone) or unreadable: remove it and try again
    try {
      unlinkSync(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}

function readHolder(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to another user
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
