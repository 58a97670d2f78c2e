/** Pure grid geometry: CRSs, grids, odc-stac-compatible snapping, windows, chunking, mosaic plans and warps. */
export * from './types.ts';
export * from './affine.ts';
export * from './crs.ts';
export * from './snap.ts';
export * from './bbox-grid.ts';
export * from './windows.ts';
export * from './item-grid.ts';
export * from './mosaic.ts';
export * from './warp.ts';
export { parseWkt, WktSyntaxError, type WktNode, type WktArg } from './wkt.ts';
export { wktToProj4 } from './wkt-to-proj4.ts';
