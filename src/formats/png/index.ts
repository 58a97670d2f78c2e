/** PNG encoding, colour maps and quicklook images of raster results. */
export { encodePng } from './png-encode.ts';
export { colorTable, COLORMAP_NAMES, type ColormapName, type ColorTable, tableFromControlPoints } from './colormaps.ts';
export { colorize, renderPng, type RenderOptions } from './render.ts';
export { createQuicklookWriter, quicklookGeometry, type QuicklookOptions } from './quicklook-writer.ts';
export { niceTicks, renderFigure, tickLabel, type FigureOptions } from './figure.ts';
export { drawText, textWidth } from './font5x7.ts';
