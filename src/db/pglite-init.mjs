// Creates the embedded database in the folder argv[2] (PGlite's initdb) with the start parameters JSON argv[3], and
// exits. Run as a child process by openDatabase: see initEmbedded there for why.
import { PGlite } from '@electric-sql/pglite';

const [dir, params] = process.argv.slice(2);
const lite = await PGlite.create(dir, { startParams: JSON.parse(params) });
await lite.close();
