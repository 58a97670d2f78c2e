/** Raster sample types as TIFF encodes them (SampleFormat + BitsPerSample) and their typed arrays. */

export type RasterDataType = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';

export type RasterArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

export const TYPED_ARRAY = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
} as const;

export function bytesPerSample(t: RasterDataType): number {
  return TYPED_ARRAY[t].BYTES_PER_ELEMENT;
}

/** From TIFF SampleFormat (1 uint, 2 int, 3 float) and BitsPerSample; undefined when unsupported. */
export function dataTypeFromTiff(sampleFormat: number, bits: number): RasterDataType | undefined {
  const key = `${sampleFormat}:${bits}`;
  const table: Record<string, RasterDataType> = {
    '1:8': 'uint8',
    '2:8': 'int8',
    '1:16': 'uint16',
    '2:16': 'int16',
    '1:32': 'uint32',
    '2:32': 'int32',
    '3:32': 'float32',
    '3:64': 'float64',
  };
  return table[key];
}

/** A typed view of `bytes` as `t`, copying only when the bytes are not aligned for it. */
export function viewAs(t: RasterDataType, bytes: Uint8Array): RasterArray {
  const C = TYPED_ARRAY[t];
  const n = Math.floor(bytes.length / C.BYTES_PER_ELEMENT);
  if (bytes.byteOffset % C.BYTES_PER_ELEMENT !== 0) {
    const copy = new Uint8Array(n * C.BYTES_PER_ELEMENT);
    copy.set(bytes.subarray(0, copy.length));
    return new C(copy.buffer, 0, n);
  }
  return new C(bytes.buffer as ArrayBuffer, bytes.byteOffset, n);
}

export function isArrayOf(t: RasterDataType, a: RasterArray): boolean {
  return a instanceof TYPED_ARRAY[t];
}
