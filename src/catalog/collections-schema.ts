/** JSON Schema of the collections file (COLLECTIONS_FILE); see collections/demo.json for an example. */

const str = { type: 'string', minLength: 1 } as const;
const num = { type: 'number' } as const;
const bbox = { type: 'array', items: num, minItems: 4, maxItems: 4 } as const;
const nullableDate = { type: ['string', 'null'] } as const;
const headers = { type: 'object', additionalProperties: { type: 'string' } } as const;
const tuning = {
  maxItems: { type: 'integer', minimum: 1 },
  timeoutMs: { type: 'integer', minimum: 1 },
  retries: { type: 'integer', minimum: 0, maximum: 10 },
} as const;

export const DATA_TYPES = ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'uint64', 'int64', 'float16', 'float32', 'float64'] as const;

const entry = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'description', 'license', 'source', 'bands', 'grid', 'extent'],
  properties: {
    id: { type: 'string', pattern: '^[\\w\\-\\.~\\/]+$' },
    title: str,
    description: str,
    license: str,
    keywords: { type: 'array', items: str },
    providers: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: str,
          description: { type: 'string' },
          roles: { type: 'array', items: { enum: ['producer', 'licensor', 'processor', 'host'] } },
          url: str,
        },
      },
    },
    links: {
      type: 'array',
      items: {
        type: 'object',
        required: ['rel', 'href'],
        properties: { rel: str, href: str, type: str, title: { type: 'string' } },
      },
    },
    source: {
      type: 'object',
      required: ['type'],
      properties: { type: { enum: ['stac-api', 'static'] } },
      discriminator: { propertyName: 'type' },
      oneOf: [
        {
          type: 'object',
          additionalProperties: false,
          required: ['type', 'url', 'collection'],
          properties: {
            type: { const: 'stac-api' },
            url: { type: 'string', pattern: '^https?://' },
            collection: str,
            headers,
            method: { enum: ['GET', 'POST'] },
            pageSize: { type: 'integer', minimum: 1, maximum: 10_000 },
            ...tuning,
          },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['type', 'href'],
          properties: { type: { const: 'static' }, href: str, ...tuning },
        },
      ],
    },
    bands: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'asset', 'data_type', 'nodata'],
        properties: {
          name: str,
          asset: str,
          data_type: { enum: DATA_TYPES },
          nodata: { type: ['number', 'null'] },
          description: { type: 'string' },
        },
      },
    },
    grid: {
      type: 'object',
      additionalProperties: false,
      required: ['crs', 'resolution'],
      properties: {
        crs: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: { wkt2: str, proj4: str, epsg: { type: 'integer', minimum: 1 }, projjson: { type: 'object' } },
        },
        resolution: {
          anyOf: [
            { type: 'number', exclusiveMinimum: 0 },
            { type: 'array', minItems: 2, maxItems: 2, items: { type: 'number', exclusiveMinimum: 0 } },
          ],
        },
        extent: bbox,
      },
    },
    extent: {
      type: 'object',
      additionalProperties: false,
      required: ['spatial', 'temporal'],
      properties: {
        spatial: {
          type: 'object',
          additionalProperties: false,
          required: ['bbox'],
          properties: { bbox: { type: 'array', minItems: 1, items: bbox } },
        },
        temporal: {
          type: 'object',
          additionalProperties: false,
          required: ['interval'],
          properties: {
            interval: { type: 'array', minItems: 1, items: { type: 'array', minItems: 2, maxItems: 2, items: nullableDate } },
          },
        },
      },
    },
    queryables: { type: 'object', additionalProperties: { type: 'object' } },
    summaries: { type: 'object' },
  },
} as const;

export const COLLECTIONS_FILE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['collections'],
  properties: {
    $schema: { type: 'string' },
    collections: { type: 'array', items: entry },
  },
} as const;
