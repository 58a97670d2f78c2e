/**
 * DEFLATE block decoding into the caller's buffer. `zlib.inflateSync` inflates in 16 KiB pieces and joins them into
 * a fresh Buffer per block: on a flood job over DEFLATE COGs that cost twice the inflating itself, and the
 * gigabyte of new buffers per job kept the garbage collector busy (see zstd-into.ts for the same with ZSTD).
 *
 * Node's public zlib API cannot inflate into a given buffer; the handle of its Inflate stream can, and zlib's own
 * synchronous path (processChunkSync) drives it the same way: `writeSync(flush, in, inOff, inLen, out, outOff,
 * outLen)`, with what is left of both in the stream's `_writeState`. When that interface is not there (another
 * Node), `undefined` is returned and the caller keeps `inflateSync`.
 */
import { constants, createInflate, type Inflate } from 'node:zlib';

export type InflateInto = (bytes: Uint8Array, out: Uint8Array) => number;

interface ZlibHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
}
interface Internals {
  stream: Inflate;
  handle: ZlibHandle;
  /** [output bytes left, input bytes left] after the last write. */
  state: Uint32Array;
}

function open(): Internals | undefined {
  const stream = createInflate();
  // a corrupt stream destroys it, which emits 'error' on the next tick: seen through `destroyed` below
  stream.on('error', () => {});
  const { _handle: handle, _writeState: state } = stream as unknown as { _handle?: Partial<ZlibHandle>; _writeState?: unknown };
  if (typeof handle?.writeSync !== 'function' || !(state instanceof Uint32Array) || state.length !== 2) return undefined;
  return { stream, handle: handle as ZlibHandle, state };
}

/**
 * A decoder writing into `out`; returns the decoded length, and throws when the stream is corrupt or decodes to
 * more than `out` holds. One stream per decoder: calls are synchronous, so they never overlap.
 */
export function createInflateInto(): InflateInto | undefined {
  let z = open();
  if (!z) return undefined;
  const probe = new Uint8Array(1);
  return (bytes, out) => {
    if (z!.stream.destroyed) z = open()!;
    const { stream, handle, state } = z!;
    stream.reset();
    handle.writeSync(constants.Z_FINISH, bytes, 0, bytes.length, out, 0, out.length);
    if (stream.destroyed) throw new Error('DEFLATE stream is corrupt');
    const n = out.length - state[0];
    if (state[0] === 0) {
      // `out` is full: the stream must end here
      const left = state[1];
      handle.writeSync(constants.Z_FINISH, bytes, bytes.length - left, left, probe, 0, 1);
      if (stream.destroyed || state[0] === 0) throw new Error('DEFLATE stream is larger than the block');
    }
    return n;
  };
}
