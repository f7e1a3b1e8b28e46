/**
 * A WebAssembly.Memory with the views the kernels' TypeScript side needs,
 * refreshed whenever the memory grew (a grow detaches or replaces the old
 * buffer, also when another thread grew a shared memory), and growth that
 * fails with a KernelError instead of a RangeError or a trap.
 */
import { KernelError } from '../errors.js';

export const PAGE_BYTES = 65536;
/** wasm32 addresses at most 4 GiB. */
export const MAX_PAGES = 65536;

export class KernelMemory {
  readonly memory: WebAssembly.Memory;
  /** Pages the memory may grow to (the memory's own maximum may be higher). */
  readonly maximumPages: number;
  private buffer: ArrayBufferLike;
  private bytes: Uint8Array;
  private dataView: DataView;

  constructor(memory: WebAssembly.Memory, maximumPages: number = MAX_PAGES) {
    this.memory = memory;
    this.maximumPages = Math.min(maximumPages, MAX_PAGES);
    this.buffer = memory.buffer;
    this.bytes = new Uint8Array(this.buffer);
    this.dataView = new DataView(this.buffer);
  }

  get shared(): boolean {
    return typeof SharedArrayBuffer !== 'undefined' && this.memory.buffer instanceof SharedArrayBuffer;
  }

  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  /** A byte view over the whole current memory. */
  u8(): Uint8Array {
    this.refresh();
    return this.bytes;
  }

  view(): DataView {
    this.refresh();
    return this.dataView;
  }

  /** Grows the memory so that [0, end) is addressable. */
  ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const pages = Math.ceil(end / PAGE_BYTES);
    if (pages > this.maximumPages) {
      throw new KernelError(
        'ERR_SLUICE_KERNEL_MEMORY',
        `Kernel memory would need ${formatMiB(end)} but may grow to ${formatMiB(this.maximumPages * PAGE_BYTES)}; ` +
          'use smaller batches or raise maximumPages',
      );
    }
    try {
      this.memory.grow(pages - Math.ceil(have / PAGE_BYTES));
    } catch (cause) {
      throw new KernelError(
        'ERR_SLUICE_KERNEL_MEMORY',
        `Kernel memory could not grow to ${formatMiB(end)} (the memory's maximum or the host refused); use smaller batches`,
        { cause },
      );
    }
    this.refresh();
  }

  private refresh(): void {
    const current = this.memory.buffer;
    if (current === this.buffer && this.bytes.byteLength === current.byteLength) return;
    this.buffer = current;
    this.bytes = new Uint8Array(current);
    this.dataView = new DataView(current);
  }
}

function formatMiB(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
}
