/**
 * Plain memory for batch bytes, reused once a batch gives it back: the
 * input regions a receiver stream writes into when the kernels lend none
 * (the inline kernels). A fresh arena per batch is memory touched for the
 * first time, and the page faults of first touch cost more than everything
 * else the receiver does: on the VMs here, 2.6 ms per MB against 0.05 ms to
 * write memory already touched. The engine gives a batch's region back once
 * the batch is older than its stream's remember duration
 * (Batch.releaseRecords), as it does for the worker pool's lent memory, and
 * reading a batch after that throws rather than seeing a later batch's bytes.
 *
 * What is held: at most `keep` arenas given back, together at most
 * `maxHeldBytes`, and none that the last `maxIdle` requests passed over, so
 * a burst's large arenas are let go once the stream is back to smaller
 * batches. A receiver stream passes twice its receiver buffer budget: the
 * arena of a batch that filled the budget is larger than the budget (it is
 * rounded up, and sized for the largest batch lately), and with one budget
 * as the bound the 1 s socket batches here were rarely reused (85–124 MB/s
 * end to end against 116–141 with two).
 */
import type { InputRegion, InputRegionSource } from './api.js';
import { InvalidArgumentError } from '../errors.js';

/** Sizes are rounded up to the next multiple of 1/8 of their power of two, so that a batch a little larger than the last still fits. */
function roundedSize(byteLength: number): number {
  if (byteLength <= 1 << 16) return 1 << 16;
  const step = 2 ** Math.floor(Math.log2(byteLength)) / 8;
  return Math.min(Math.ceil(byteLength / step) * step + step, 0x7fffffff);
}

interface FreeArena {
  readonly buffer: ArrayBuffer;
  /** Requests since it was given back that took another arena or a new one. */
  idle: number;
}

export class RecycledArenas implements InputRegionSource {
  private readonly free: FreeArena[] = [];
  /** The largest request lately, decaying to twice the current one. */
  private largest = 0;

  private readonly keep: number;
  private readonly maxIdle: number;
  private readonly maxHeldBytes: number;

  /** Defaults: keep 2, maxIdle 8, maxHeldBytes unbounded. */
  constructor(options: { readonly keep?: number; readonly maxIdle?: number; readonly maxHeldBytes?: number } = {}) {
    const { keep = 2, maxIdle = 8, maxHeldBytes = Number.POSITIVE_INFINITY } = options;
    this.keep = keep;
    this.maxIdle = maxIdle;
    this.maxHeldBytes = maxHeldBytes;
    if (!Number.isInteger(keep) || keep < 0 || !Number.isInteger(maxIdle) || maxIdle < 0 || !(maxHeldBytes >= 0)) {
      throw new InvalidArgumentError(
        `RecycledArenas needs non-negative integers (keep, maxIdle) and a non-negative maxHeldBytes, got ${String(keep)}, ${String(maxIdle)}, ${String(maxHeldBytes)}`,
      );
    }
  }

  /** Bytes of the arenas held for reuse now. */
  get heldBytes(): number {
    return this.free.reduce((sum, arena) => sum + arena.buffer.byteLength, 0);
  }

  /** Arenas held for reuse now. */
  get held(): number {
    return this.free.length;
  }

  allocInput(byteLength: number): InputRegion {
    if (!Number.isInteger(byteLength) || byteLength < 0 || byteLength > 0x7fffffff) {
      throw new InvalidArgumentError(`allocInput needs a byte length in [0, 2^31), got ${String(byteLength)}`);
    }
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const size = (this.free[i] as FreeArena).buffer.byteLength;
      if (size >= byteLength && (best === -1 || size < (this.free[best] as FreeArena).buffer.byteLength)) best = i;
    }
    const taken = best === -1 ? undefined : (this.free.splice(best, 1)[0] as FreeArena);
    for (const arena of this.free) arena.idle++;
    for (let i = this.free.length - 1; i >= 0; i--) if ((this.free[i] as FreeArena).idle > this.maxIdle) this.free.splice(i, 1);
    // A new arena is as large as the largest request lately (up to twice this one): batch sizes swing
    // when the main thread counts while data arrives, and an arena that grows mid-batch is copied into
    // fresh memory.
    this.largest = Math.max(byteLength, Math.min(this.largest, byteLength * 2));
    const buffer = taken?.buffer ?? new ArrayBuffer(roundedSize(this.largest));
    let released = false;
    return {
      bytes: new Uint8Array(buffer),
      release: () => {
        if (released) return;
        released = true;
        this.giveBack(buffer);
      },
    };
  }

  private giveBack(buffer: ArrayBuffer): void {
    if (buffer.byteLength > this.maxHeldBytes) return;
    this.free.push({ buffer, idle: 0 });
    while (this.free.length > 0 && (this.free.length > this.keep || this.heldBytes > this.maxHeldBytes)) {
      let smallest = 0;
      for (let i = 1; i < this.free.length; i++) if ((this.free[i] as FreeArena).buffer.byteLength < (this.free[smallest] as FreeArena).buffer.byteLength) smallest = i;
      this.free.splice(smallest, 1);
    }
  }
}
