/**
 * The netCDF classic 64-bit-offset format (CDF-2): a header listing dimensions, attributes and variables with
 * the byte offset of each variable's data, then the data of the fixed-size variables one after another, all
 * big-endian and padded to 4 bytes. Pure encoding; no record (unlimited) dimension is used.
 */
import { OpenEOError } from '../../errors.ts';

export const NC_BYTE = 1;
export const NC_CHAR = 2;
export const NC_SHORT = 3;
export const NC_INT = 4;
export const NC_FLOAT = 5;
export const NC_DOUBLE = 6;
export type NcType = 1 | 2 | 3 | 4 | 5 | 6;

const NC_DIMENSION = 10;
const NC_VARIABLE = 11;
const NC_ATTRIBUTE = 12;
const TYPE_SIZE: Record<NcType, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 4, 6: 8 };
const MAX_VSIZE = 2 ** 32 - 4;

export const ncTypeSize = (t: NcType): number => TYPE_SIZE[t];

/** An attribute: text, or big-endian values of one numeric type. */
export type NcAttribute = { type: typeof NC_CHAR; text: string } | { type: NcType; count: number; bytes: Uint8Array };

export interface NcVariable {
  name: string;
  dims: number[];
  type: NcType;
  attributes: [string, NcAttribute][];
}

export interface NcFile {
  dims: [string, number][];
  attributes: [string, NcAttribute][];
  variables: NcVariable[];
}

export interface NcLayout {
  header: Uint8Array;
  /** Per variable: offset of its data and its size on disk (with padding). */
  begins: number[];
  sizes: number[];
  totalSize: number;
}

const pad4 = (n: number) => (n + 3) & ~3;

export const textAttr = (text: string): NcAttribute => ({ type: NC_CHAR, text });

export function doubleAttr(...values: number[]): NcAttribute {
  const bytes = new Uint8Array(8 * values.length);
  const v = new DataView(bytes.buffer);
  values.forEach((x, i) => v.setFloat64(8 * i, x, false));
  return { type: NC_DOUBLE, count: values.length, bytes };
}

class HeaderBuilder {
  private readonly parts: Uint8Array[] = [];
  size = 0;
  private push(b: Uint8Array) {
    this.parts.push(b);
    this.size += b.length;
  }
  int32(n: number) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, n, false);
    this.push(b);
  }
  int64(n: number) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigInt64(0, BigInt(n), false);
    this.push(b);
  }
  padded(bytes: Uint8Array) {
    const b = new Uint8Array(pad4(bytes.length));
    b.set(bytes);
    this.push(b);
  }
  name(s: string) {
    const bytes = new TextEncoder().encode(s);
    this.int32(bytes.length);
    this.padded(bytes);
  }
  attributes(list: [string, NcAttribute][]) {
    if (list.length === 0) return (this.int32(0), this.int32(0));
    this.int32(NC_ATTRIBUTE);
    this.int32(list.length);
    for (const [name, a] of list) {
      this.name(name);
      this.int32(a.type);
      if ('text' in a) {
        const bytes = new TextEncoder().encode(a.text);
        this.int32(bytes.length);
        this.padded(bytes);
      } else {
        this.int32(a.count);
        this.padded(a.bytes);
      }
    }
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let p = 0;
    for (const b of this.parts) (out.set(b, p), (p += b.length));
    return out;
  }
}

function buildHeader(file: NcFile, begins: number[], sizes: number[]): Uint8Array {
  const h = new HeaderBuilder();
  h.padded(new Uint8Array([0x43, 0x44, 0x46, 0x02])); // "CDF" version 2: 64-bit offsets
  h.int32(0); // numrecs: no record dimension
  if (file.dims.length === 0) (h.int32(0), h.int32(0));
  else {
    h.int32(NC_DIMENSION);
    h.int32(file.dims.length);
    for (const [name, len] of file.dims) (h.name(name), h.int32(len));
  }
  h.attributes(file.attributes);
  h.int32(NC_VARIABLE);
  h.int32(file.variables.length);
  file.variables.forEach((v, i) => {
    h.name(v.name);
    h.int32(v.dims.length);
    for (const d of v.dims) h.int32(d);
    h.attributes(v.attributes);
    h.int32(v.type);
    // A variable over 4 GiB may only be the last one and then records its size as 2^32 - 1.
    h.int32(sizes[i] > MAX_VSIZE ? -1 : sizes[i]);
    h.int64(begins[i]);
  });
  return h.bytes();
}

/** Header bytes and where each variable's data goes. */
export function layoutFile(file: NcFile): NcLayout {
  const sizes = file.variables.map((v) => pad4(v.dims.reduce((n, d) => n * file.dims[d][1], 1) * TYPE_SIZE[v.type]));
  sizes.forEach((s, i) => {
    if (s > MAX_VSIZE && i !== sizes.length - 1) {
      throw new OpenEOError('FormatUnsupported', `netCDF classic cannot hold variable ${file.variables[i].name} of ${s} bytes (over 4 GiB) unless it is the only large one; use Zarr.`);
    }
  });
  // Offsets do not change the header's size (they are fixed-width), so lay out once with zeros, then for real.
  const headerSize = buildHeader(file, sizes.map(() => 0), sizes).length;
  const begins: number[] = [];
  let pos = headerSize;
  for (const s of sizes) (begins.push(pos), (pos += s));
  return { header: buildHeader(file, begins, sizes), begins, sizes, totalSize: pos };
}

/** Big-endian bytes of little-endian samples of `size` bytes each (a copy). */
export function toBigEndian(src: ArrayBufferView, size: number): Uint8Array {
  const le = new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
  if (size === 1) return le.slice();
  const out = new Uint8Array(le.length);
  for (let i = 0; i < le.length; i += size) for (let k = 0; k < size; k++) out[i + k] = le[i + size - 1 - k];
  return out;
}
