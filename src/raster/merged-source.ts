/**
 * Range merging wrapper: ranges closer than `maxGap` bytes are fetched as one request, so the many small block
 * reads of a window become a few large ones. Overlapping and duplicate ranges are fine.
 */
import type { ByteRange, ByteSource } from './byte-source.ts';

export interface RangeMergingOptions {
  /** Ranges separated by at most this many bytes are merged (the gap is read and thrown away). Default 64 KiB. */
  maxGap?: number;
  /** A merged request does not grow past this size (unless a single range is larger). Default 16 MiB. */
  maxRequest?: number;
}

interface Group {
  offset: number;
  end: number;
  members: number[];
}

/** Groups ranges (by index) into merged requests; pure, exported for tests. */
export function planMergedRanges(ranges: readonly ByteRange[], maxGap: number, maxRequest: number): Group[] {
  const order = ranges.map((_, i) => i).sort((a, b) => ranges[a].offset - ranges[b].offset);
  const groups: Group[] = [];
  let cur: Group | undefined;
  for (const i of order) {
    const { offset, length } = ranges[i];
    const end = offset + Math.max(0, length);
    if (cur && offset <= cur.end + maxGap && Math.max(cur.end, end) - cur.offset <= maxRequest) {
      cur.end = Math.max(cur.end, end);
      cur.members.push(i);
    } else {
      cur = { offset, end, members: [i] };
      groups.push(cur);
    }
  }
  return groups;
}

export function withRangeMerging(inner: ByteSource, options: RangeMergingOptions = {}): ByteSource {
  const maxGap = options.maxGap ?? 64 * 1024;
  const maxRequest = options.maxRequest ?? 16 * 1024 * 1024;
  return {
    id: inner.id,
    size: inner.size ? (signal) => inner.size!(signal) : undefined,
    async read(ranges, signal) {
      if (ranges.length <= 1) return inner.read(ranges, signal);
      const groups = planMergedRanges(ranges, maxGap, maxRequest);
      const data = await inner.read(
        groups.map((g) => ({ offset: g.offset, length: g.end - g.offset })),
        signal,
      );
      const out = new Array<Uint8Array>(ranges.length);
      groups.forEach((g, gi) => {
        const buf = data[gi];
        for (const i of g.members) {
          const start = ranges[i].offset - g.offset;
          // subarray clamps, so a group cut short by the end of the object yields short members
          out[i] = buf.subarray(Math.min(start, buf.length), Math.min(start + ranges[i].length, buf.length));
        }
      });
      return out;
    },
  };
}
