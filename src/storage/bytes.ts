/** Small byte helpers shared by the stores and adapters. */

/** Concatenates chunks into one array (no copy when there is a single chunk). */
export function concatBytes(chunks: Uint8Array[], total?: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const size = total ?? chunks.reduce((n, c) => n + c.byteLength, 0);
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * Regroups a byte stream into parts of exactly `partSize` bytes (the last may be shorter, never empty unless the
 * whole input is). Input arrays are sliced without copying when they already line up.
 */
export async function* rechunk(body: AsyncIterable<Uint8Array>, partSize: number, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let yielded = false;
  for await (const raw of body) {
    signal?.throwIfAborted();
    let chunk = raw instanceof Uint8Array ? raw : new Uint8Array(raw as ArrayBuffer);
    while (pendingBytes + chunk.byteLength >= partSize) {
      const take = partSize - pendingBytes;
      pending.push(chunk.subarray(0, take));
      chunk = chunk.subarray(take);
      yield concatBytes(pending, partSize);
      yielded = true;
      pending = [];
      pendingBytes = 0;
    }
    if (chunk.byteLength > 0) {
      pending.push(chunk);
      pendingBytes += chunk.byteLength;
    }
  }
  if (pendingBytes > 0 || !yielded) yield concatBytes(pending, pendingBytes);
}

/** Views a Uint8Array as an AsyncIterable of parts of `partSize` bytes, without copying. */
export async function* sliceBytes(bytes: Uint8Array, partSize: number): AsyncGenerator<Uint8Array> {
  if (bytes.byteLength === 0) yield bytes;
  for (let at = 0; at < bytes.byteLength; at += partSize) yield bytes.subarray(at, at + partSize);
}
