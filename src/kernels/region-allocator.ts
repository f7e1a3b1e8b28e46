/**
 * Hands out regions of kernel memory above the static data. Regions are
 * 16-byte aligned; freed regions are coalesced and reused first-fit, so a
 * steady stream of batches settles on the same regions instead of growing or
 * churning memory (allocating and freeing per batch caused page-fault
 * contention between threads in the prototypes). The top of the heap grows
 * the memory on demand, with a KernelError past the maximum.
 *
 * One allocator per memory, used from one thread: with a shared memory the
 * thread that owns the allocator hands regions (pointers) to the workers.
 */
import { InvalidArgumentError } from '../errors.js';
import type { KernelMemory } from './kernel-memory.js';
import { STATIC_LIMIT } from './layout.js';

const ALIGN = 16;

interface FreeBlock {
  ptr: number;
  size: number;
}

export class RegionAllocator {
  readonly memory: KernelMemory;
  private top: number;
  private readonly sizes = new Map<number, number>();
  /** Sorted by address, never adjacent (coalesced). */
  private readonly free: FreeBlock[] = [];

  constructor(memory: KernelMemory, start: number = STATIC_LIMIT) {
    this.memory = memory;
    this.top = alignUp(start);
  }

  /** Bytes currently handed out. */
  get allocatedBytes(): number {
    let sum = 0;
    for (const size of this.sizes.values()) sum += size;
    return sum;
  }

  /** End of the highest region ever handed out (the heap's high-water mark). */
  get heapEnd(): number {
    return this.top;
  }

  alloc(bytes: number): number {
    if (!Number.isFinite(bytes) || bytes < 0) throw new InvalidArgumentError(`Cannot allocate ${bytes} bytes`);
    const size = alignUp(Math.max(bytes, ALIGN));
    for (let i = 0; i < this.free.length; i++) {
      const block = this.free[i] as FreeBlock;
      if (block.size < size) continue;
      const ptr = block.ptr;
      if (block.size === size) this.free.splice(i, 1);
      else {
        block.ptr += size;
        block.size -= size;
      }
      this.sizes.set(ptr, size);
      return ptr;
    }
    // Extend a free block that ends at the top instead of leaving it stranded.
    const last = this.free[this.free.length - 1];
    const ptr = last !== undefined && last.ptr + last.size === this.top ? last.ptr : this.top;
    this.memory.ensure(ptr + size);
    if (ptr !== this.top) this.free.pop();
    this.top = ptr + size;
    this.sizes.set(ptr, size);
    return ptr;
  }

  /** Size of the region at ptr (as rounded up when allocated). */
  sizeOf(ptr: number): number {
    const size = this.sizes.get(ptr);
    if (size === undefined) throw new InvalidArgumentError(`No region is allocated at ${ptr}`);
    return size;
  }

  release(ptr: number): void {
    const size = this.sizeOf(ptr);
    this.sizes.delete(ptr);
    let lo = 0;
    let hi = this.free.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.free[mid] as FreeBlock).ptr < ptr) lo = mid + 1;
      else hi = mid;
    }
    const block: FreeBlock = { ptr, size };
    this.free.splice(lo, 0, block);
    const next = this.free[lo + 1];
    if (next !== undefined && block.ptr + block.size === next.ptr) {
      block.size += next.size;
      this.free.splice(lo + 1, 1);
    }
    const prev = this.free[lo - 1];
    if (prev !== undefined && prev.ptr + prev.size === block.ptr) {
      prev.size += block.size;
      this.free.splice(lo, 1);
    }
  }
}

function alignUp(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

const allocators = new WeakMap<WebAssembly.Memory, RegionAllocator>();

/**
 * The allocator of a memory, created on first use: everything on one thread
 * that allocates in a memory must share one allocator, or two of them would
 * hand out the same regions.
 */
export function regionAllocatorFor(memory: KernelMemory): RegionAllocator {
  let allocator = allocators.get(memory.memory);
  if (allocator === undefined) {
    allocator = new RegionAllocator(memory);
    allocators.set(memory.memory, allocator);
  }
  return allocator;
}
