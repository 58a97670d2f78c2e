#!/usr/bin/env node
import { serve, worker } from './cli/serve.ts';
import { users } from './cli/users.ts';
import { ConfigError, loadConfig } from './config.ts';
import { migrateToLatest, openDatabase } from './db/database.ts';

const USAGE = `openeo-backend <command>

Commands:
  serve                     run the openEO API (and, by default, jobs in-process)
  worker                    run queued batch jobs only
  migrate                   apply database migrations
  users add NAME [PASSWORD] create a user (password generated when omitted)
  users passwd NAME [PW]    set a user's password (revokes their tokens)
  users list                list users
  demo [--size small|medium|large] [--user U --password P]
                            run the GFM flood workflow as a batch job and plot the result
  demo-data [--size small|medium(default)|large] [--out DIR] [--seed N] [--compression zstd|deflate]
            [--texture smooth(default)|speckle]
                            generate the demo GFM collection; speckle makes the likelihood band
                            vary per pixel like real GFM data (for realistic decode benchmarks)

Configuration comes from environment variables; see the README.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const help = (a: string) => a === '--help' || a === '-h';
  if (!command || help(command) || command === 'help' || rest.some(help)) {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  const config = loadConfig();
  switch (command) {
    case 'serve':
      await serve(config);
      return -1;
    case 'worker':
      await worker(config);
      return -1;
    case 'migrate': {
      const handle = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
      const { results } = await migrateToLatest(handle.db);
      await handle.close();
      process.stdout.write(results?.length ? results.map((r) => `${r.migrationName}: ${r.status}\n`).join('') : 'Up to date.\n');
      return 0;
    }
    case 'users':
      return users(config, rest);
    case 'demo': {
      const { demoCommand } = await import('./cli/demo.ts');
      return demoCommand(config, rest);
    }
    case 'demo-data': {
      const { demoDataCommand } = await import('./cli/demo-data.ts');
      return demoDataCommand(config, rest);
    }
    default:
      process.stderr.write(`Unknown command '${command}'.\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (e) => {
    process.stderr.write(`${e instanceof ConfigError ? 'Configuration error' : 'Error'}: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
