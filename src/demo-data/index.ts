/** The demo GFM collection generator (`openeo-backend demo-data --size …`) and what it is built from. */
export { generateDemoData, type DemoDataOptions, type DemoDataResult, type DemoProgress } from './generate.ts';
export { DEMO_TEXTURES, type DemoTexture } from './speckle.ts';
export { createProgressBar, formatProgressBar, type ProgressBar, type ProgressBarOptions } from './progress-bar.ts';
export { type DemoSize, TUTORIAL_AOI, cropsFor, planDemo } from './scenario.ts';
export { EQUI7_ASIA_PROJ4, EQUI7_ASIA_WKT, parseT3Tile } from './equi7.ts';
export { COLLECTION_ID, GFM_BANDS, itemId } from './stac.ts';
