/**
 * Undoing TIFF predictors and byte order on decoded blocks, in place. Per-sample loops are unavoidable here (each
 * value depends on its left neighbour); they run once per decoded block, not per output pixel.
 */

/** Swaps each `size`-byte word of `bytes` in place (big-endian files on this little-endian machine). */
export function swapBytes(bytes: Uint8Array, size: number): void {
  if (size === 2) {
    for (let i = 0; i + 1 < bytes.length; i += 2) {
      const a = bytes[i];
      bytes[i] = bytes[i + 1];
      bytes[i + 1] = a;
    }
    return;
  }
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

/**
 * Predictor 2 (horizontal differencing): each sample is stored as the difference to the same sample of the pixel
 * to its left. `samples` are interleaved per pixel (SamplesPerPixel for chunky blocks, 1 for planar).
 */
export function undoHorizontalPredictor(
  bytes: Uint8Array,
  bytesPerSample: number,
  width: number,
  rows: number,
  samples: number,
): void {
  const rowLen = width * samples;
  // unsigned views give two's complement wrap-around for signed types as well
  let a: Uint8Array | Uint16Array | Uint32Array;
  if (bytesPerSample === 1) a = bytes;
  else if (bytesPerSample === 2) a = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1);
  else if (bytesPerSample === 4) a = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);
  else throw new RangeError(`horizontal predictor on ${bytesPerSample * 8}-bit samples`);
  const n = Math.min(rows, Math.floor(a.length / rowLen));
  for (let r = 0; r < n; r++) {
    const end = (r + 1) * rowLen;
    for (let i = r * rowLen + samples; i < end; i++) a[i] += a[i - samples];
  }
}

/**
 * Predictor 3 (floating point): per row, bytes were split into planes (most significant first) and then
 * differenced bytewise. Output is in this machine's (little-endian) order whatever the file's byte order.
 */
export function undoFloatingPointPredictor(
  bytes: Uint8Array,
  bytesPerSample: number,
  width: number,
  rows: number,
  samples: number,
): void {
  const wc = width * samples;
  const rowBytes = wc * bytesPerSample;
  const tmp = new Uint8Array(rowBytes);
  const n = Math.min(rows, Math.floor(bytes.length / rowBytes));
  for (let r = 0; r < n; r++) {
    const start = r * rowBytes;
    const end = start + rowBytes;
    // Uint8Array stores wrap modulo 256 by themselves
    for (let i = start + samples; i < end; i++) bytes[i] += bytes[i - samples];
    tmp.set(bytes.subarray(start, end));
    for (let b = 0; b < bytesPerSample; b++) {
      const plane = b * wc;
      for (let i = 0, o = start + bytesPerSample - 1 - b; i < wc; i++, o += bytesPerSample) bytes[o] = tmp[plane + i];
    }
  }
}
