/**
 * Byte-level encoding of TIFF / BigTIFF image file directories. The size of an IFD depends only on its entries'
 * types and counts, never on their values, so the layout can be planned before tile offsets are known.
 */

export const TiffType = { ASCII: 2, SHORT: 3, LONG: 4, DOUBLE: 12, LONG8: 16 } as const;
export type TiffType = (typeof TiffType)[keyof typeof TiffType];

const TYPE_SIZE: Record<TiffType, number> = {
  [TiffType.ASCII]: 1,
  [TiffType.SHORT]: 2,
  [TiffType.LONG]: 4,
  [TiffType.DOUBLE]: 8,
  [TiffType.LONG8]: 8,
};

export interface IfdEntry {
  tag: number;
  type: TiffType;
  /** Numbers for numeric types; for ASCII a string (the NUL terminator is added here). */
  values: ArrayLike<number> | string;
}

const count = (e: IfdEntry): number => (typeof e.values === 'string' ? e.values.length + 1 : e.values.length);
const valueBytes = (e: IfdEntry): number => count(e) * TYPE_SIZE[e.type];
const even = (n: number): number => n + (n & 1);

/** Total bytes of the IFD including its out-of-line values. */
export function ifdByteSize(entries: readonly IfdEntry[], bigTiff: boolean): number {
  const inline = bigTiff ? 8 : 4;
  let size = bigTiff ? 8 + entries.length * 20 + 8 : 2 + entries.length * 12 + 4;
  for (const e of entries) {
    const n = valueBytes(e);
    if (n > inline) size += even(n);
  }
  return size;
}

function writeValues(view: DataView, pos: number, e: IfdEntry): void {
  if (typeof e.values === 'string') {
    for (let i = 0; i < e.values.length; i++) view.setUint8(pos + i, e.values.charCodeAt(i) & 0xff);
    view.setUint8(pos + e.values.length, 0);
    return;
  }
  const v = e.values;
  for (let i = 0; i < v.length; i++) {
    switch (e.type) {
      case TiffType.SHORT:
        view.setUint16(pos + i * 2, v[i], true);
        break;
      case TiffType.LONG:
        view.setUint32(pos + i * 4, v[i], true);
        break;
      case TiffType.DOUBLE:
        view.setFloat64(pos + i * 8, v[i], true);
        break;
      case TiffType.LONG8:
        view.setBigUint64(pos + i * 8, BigInt(v[i]), true);
        break;
      default:
        throw new Error(`unsupported TIFF type ${e.type}`);
    }
  }
}

/**
 * Encodes one IFD that will sit at absolute file position `ifdOffset`, pointing to `nextIfdOffset` (0 for the
 * last one). Entries are sorted by tag as TIFF requires.
 */
export function encodeIfd(
  entries: readonly IfdEntry[],
  ifdOffset: number,
  nextIfdOffset: number,
  bigTiff: boolean,
): Uint8Array {
  const sorted = [...entries].sort((a, b) => a.tag - b.tag);
  const out = new Uint8Array(ifdByteSize(sorted, bigTiff));
  const view = new DataView(out.buffer);
  const entrySize = bigTiff ? 20 : 12;
  const inline = bigTiff ? 8 : 4;
  const head = bigTiff ? 8 : 2;
  let extra = head + sorted.length * entrySize + (bigTiff ? 8 : 4);
  if (bigTiff) view.setBigUint64(0, BigInt(sorted.length), true);
  else view.setUint16(0, sorted.length, true);
  sorted.forEach((e, i) => {
    const p = head + i * entrySize;
    view.setUint16(p, e.tag, true);
    view.setUint16(p + 2, e.type, true);
    if (bigTiff) view.setBigUint64(p + 4, BigInt(count(e)), true);
    else view.setUint32(p + 4, count(e), true);
    const valuePos = p + (bigTiff ? 12 : 8);
    const n = valueBytes(e);
    if (n <= inline) {
      writeValues(view, valuePos, e);
    } else {
      if (bigTiff) view.setBigUint64(valuePos, BigInt(ifdOffset + extra), true);
      else view.setUint32(valuePos, ifdOffset + extra, true);
      writeValues(view, extra, e);
      extra += even(n);
    }
  });
  const nextPos = head + sorted.length * entrySize;
  if (bigTiff) view.setBigUint64(nextPos, BigInt(nextIfdOffset), true);
  else view.setUint32(nextPos, nextIfdOffset, true);
  return out;
}

/** The 8-byte (classic) or 16-byte (BigTIFF) little-endian file header pointing at the first IFD. */
export function encodeHeader(firstIfdOffset: number, bigTiff: boolean): Uint8Array {
  const out = new Uint8Array(bigTiff ? 16 : 8);
  const view = new DataView(out.buffer);
  out[0] = 0x49;
  out[1] = 0x49;
  if (bigTiff) {
    view.setUint16(2, 43, true);
    view.setUint16(4, 8, true);
    view.setBigUint64(8, BigInt(firstIfdOffset), true);
  } else {
    view.setUint16(2, 42, true);
    view.setUint32(4, firstIfdOffset, true);
  }
  return out;
}
