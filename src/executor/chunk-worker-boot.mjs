// Worker thread bootstrap: registers the TypeScript loader inside the thread (loader flags are not inherited by
// worker threads on Node 20), then loads the real worker module.
import { register } from 'tsx/esm/api';
register();
await import('./chunk-worker.ts');
