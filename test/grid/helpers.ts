/** Re-exports for tests plus small assertion helpers. */
export * from '../../src/raster/grid/index.ts';
import { isOpenEOError } from '../../src/errors.ts';

/** assert.throws validator: an OpenEOError with the given code. */
export const isOpenEOErrorLike = (code: string) => (e: unknown) => isOpenEOError(e) && e.code === code;
