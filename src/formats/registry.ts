/**
 * The file formats this backend can write (`save_result`) and read; `GET /file_formats` lists exactly these, with
 * each format's options as JSON Schema. Names are matched case-insensitively.
 */
export interface FileFormat {
  name: string;
  title: string;
  description: string;
  gis_data_types: ('raster' | 'vector' | 'table' | 'other')[];
  parameters: Record<string, { type: string | string[]; description: string; default?: unknown; enum?: unknown[]; [k: string]: unknown }>;
}

export class FormatRegistry {
  private readonly output = new Map<string, FileFormat>();
  private readonly input = new Map<string, FileFormat>();

  addOutput(format: FileFormat): this {
    this.output.set(format.name.toUpperCase(), format);
    return this;
  }

  addInput(format: FileFormat): this {
    this.input.set(format.name.toUpperCase(), format);
    return this;
  }

  findOutput(name: string): FileFormat | undefined {
    return this.output.get(name.toUpperCase());
  }

  fileFormats() {
    const doc = (m: Map<string, FileFormat>) =>
      Object.fromEntries([...m.values()].map(({ name, ...rest }) => [name, rest]));
    return { input: doc(this.input), output: doc(this.output) };
  }
}

export const JSON_FORMAT: FileFormat = {
  name: 'JSON',
  title: 'JavaScript Object Notation',
  description: 'For results that are plain values (numbers, arrays, objects) rather than rasters.',
  gis_data_types: ['other'],
  parameters: {},
};

export const GTIFF_INPUT: FileFormat = {
  name: 'GTiff',
  title: 'GeoTIFF / Cloud-Optimized GeoTIFF',
  description: 'Collection assets are read as (Cloud-Optimized) GeoTIFFs from files, HTTP(S) or S3.',
  gis_data_types: ['raster'],
  parameters: {},
};
