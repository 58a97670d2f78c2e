// Builds the chunk worker threads' bundle into its cache under node_modules, for installs whose node_modules is
// read-only at run time (the container image): a process finds the bundle there while the sources are unchanged.
import { register } from 'tsx/esm/api';
register();
const { threadEntry } = await import('../src/executor/thread-entry.ts');
const entry = await threadEntry({
  bundle: true,
  warn: (message) => {
    console.error(message);
    process.exitCode = 1;
  },
});
console.log(entry.url.href);
