/** STAC documents of the demo collection, shaped like EODC's GFM items. */
import { EQUI7_ASIA_WKT, PIXEL_M, T3_SIZE_M, footprintLonLat, parseT3Tile, ringBbox } from './equi7.ts';
import type { CropWindow } from './scenario.ts';

export const COLLECTION_ID = 'GFM';
export const GFM_BANDS = ['ensemble_flood_extent', 'ensemble_likelihood'] as const;
export type GfmBand = (typeof GFM_BANDS)[number];

const STAC_VERSION = '1.0.0';
const EXTENSIONS = [
  'https://stac-extensions.github.io/projection/v1.1.0/schema.json',
  'https://stac-extensions.github.io/raster/v1.1.0/schema.json',
];
const COG_TYPE = 'image/tiff; application=geotiff; profile=cloud-optimized';
const BAND_TITLES: Record<GfmBand, string> = {
  ensemble_flood_extent: 'Ensemble flood extent (1 flooded, 0 not flooded, 255 no data)',
  ensemble_likelihood: 'Ensemble flood likelihood in percent (255 no data)',
};

/** `2023-08-01T01:23:45Z` → `ENSEMBLE_FLOOD_20230801T012345_VV_AS020M_E015N027T3`. */
export function itemId(datetime: string, tile: string): string {
  const stamp = datetime.replace(/[-:]/g, '').replace(/Z$/, '');
  return `ENSEMBLE_FLOOD_${stamp}_VV_AS020M_${tile}`;
}

/** Asset path relative to the collection folder. */
export const cogPath = (tile: string, id: string, band: GfmBand): string => `cogs/${tile}/${id}_${band}.tif`;

export type StacItem = ReturnType<typeof stacItem>;

export function stacItem(datetime: string, crop: CropWindow) {
  const id = itemId(datetime, crop.tile);
  const tile = parseT3Tile(crop.tile);
  // The whole T3 tile's footprint, as EODC publishes it, even when this demo crops the raster.
  const ring = footprintLonLat(tile.x0, tile.y0, T3_SIZE_M, T3_SIZE_M);
  const assets = Object.fromEntries(
    GFM_BANDS.map((band) => [
      band,
      {
        href: `../${cogPath(crop.tile, id, band)}`,
        type: COG_TYPE,
        title: BAND_TITLES[band],
        roles: ['data'],
        'raster:bands': [{ data_type: 'uint8', nodata: 255, spatial_resolution: PIXEL_M }],
      },
    ]),
  );
  return {
    type: 'Feature' as const,
    stac_version: STAC_VERSION,
    stac_extensions: EXTENSIONS,
    id,
    collection: COLLECTION_ID,
    geometry: { type: 'Polygon' as const, coordinates: [ring] },
    bbox: ringBbox(ring),
    properties: {
      datetime,
      'proj:wkt2': EQUI7_ASIA_WKT,
      'proj:shape': [crop.rows, crop.cols],
      'proj:transform': [PIXEL_M, 0, crop.x0, 0, -PIXEL_M, crop.y0, 0, 0, 1],
      gsd: PIXEL_M,
      Equi7Tile: crop.tile,
    },
    assets,
    links: [
      { rel: 'collection', href: '../collection.json', type: 'application/json' },
      { rel: 'parent', href: '../collection.json', type: 'application/json' },
      { rel: 'root', href: '../collection.json', type: 'application/json' },
    ],
  };
}

export function stacCollection(items: readonly StacItem[], description: string) {
  const sorted = [...items].sort((a, b) =>
    a.properties.datetime === b.properties.datetime
      ? a.id.localeCompare(b.id)
      : a.properties.datetime.localeCompare(b.properties.datetime),
  );
  const bbox = [
    Math.min(...items.map((i) => i.bbox[0])),
    Math.min(...items.map((i) => i.bbox[1])),
    Math.max(...items.map((i) => i.bbox[2])),
    Math.max(...items.map((i) => i.bbox[3])),
  ];
  return {
    type: 'Collection' as const,
    stac_version: STAC_VERSION,
    stac_extensions: EXTENSIONS,
    id: COLLECTION_ID,
    title: 'Global Flood Monitoring (synthetic demo)',
    description,
    license: 'CC-BY-4.0',
    extent: {
      spatial: { bbox: [bbox] },
      temporal: { interval: [[sorted[0]?.properties.datetime ?? null, sorted.at(-1)?.properties.datetime ?? null]] },
    },
    summaries: { gsd: [PIXEL_M], Equi7Tile: [...new Set(items.map((i) => i.properties.Equi7Tile))].sort() },
    item_assets: Object.fromEntries(
      GFM_BANDS.map((band) => [
        band,
        { type: COG_TYPE, title: BAND_TITLES[band], roles: ['data'], 'raster:bands': [{ data_type: 'uint8', nodata: 255 }] },
      ]),
    ),
    links: [
      { rel: 'root', href: './collection.json', type: 'application/json' },
      ...sorted.map((i) => ({ rel: 'item', href: `./items/${i.id}.json`, type: 'application/geo+json' })),
    ],
  };
}
