/** Sample data types the COG writer supports, and what TIFF needs to know about each. */

export type CogDType = 'uint8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';

export type CogTypedArray =
  | Uint8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array;

export type TypedArrayCtor<T extends CogTypedArray = CogTypedArray> = {
  new (length: number): T;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
};

export interface DTypeInfo {
  /** Bytes per sample. */
  readonly bytes: number;
  /** TIFF SampleFormat: 1 unsigned int, 2 signed int, 3 IEEE float. */
  readonly sampleFormat: 1 | 2 | 3;
  readonly ctor: TypedArrayCtor;
}

export const DTYPES: Readonly<Record<CogDType, DTypeInfo>> = {
  uint8: { bytes: 1, sampleFormat: 1, ctor: Uint8Array },
  uint16: { bytes: 2, sampleFormat: 1, ctor: Uint16Array },
  int16: { bytes: 2, sampleFormat: 2, ctor: Int16Array },
  uint32: { bytes: 4, sampleFormat: 1, ctor: Uint32Array },
  int32: { bytes: 4, sampleFormat: 2, ctor: Int32Array },
  float32: { bytes: 4, sampleFormat: 3, ctor: Float32Array },
  float64: { bytes: 8, sampleFormat: 3, ctor: Float64Array },
};

export const isCogDType = (v: unknown): v is CogDType => typeof v === 'string' && Object.hasOwn(DTYPES, v);

/** Whether `arr` is the typed array class that stores `dtype` (no silent conversions on the hot path). */
export const matchesDType = (arr: CogTypedArray, dtype: CogDType): boolean => arr instanceof DTYPES[dtype].ctor;

/** View of the same memory as bytes (TIFF files we write are little-endian, like every host Node runs on). */
export const asBytes = (arr: CogTypedArray): Uint8Array => new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
