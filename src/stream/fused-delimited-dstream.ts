import type { Pair } from '../batch/batch.js';
import type { DStream } from '../engine/dstream.js';
import type { DelimitedSpec, Kernels } from '../kernels/api.js';
import type { FlatMappedDStream } from './flat-map-dstream.js';
import { FusedKernelDStream, type KernelPairs } from './fused-kernel-dstream.js';
import { count, max, min, sum } from '../batch/builtins.js';

/** How two partial results of one key combine, per reducer (a count adds counts). */
const REDUCERS = { sum, count, min, max } as const;

/**
 * lines → keyValueFields(delimiter, keyField, valueField) → reduceByKey(reducer),
 * as ONE `kernels.aggregateDelimited` call over the batch's bytes; the
 * malformed lines it skips go into the batch's `malformedRecords` counter.
 * Built by the planner (fuse.ts); `fallback` is the same chain on the JS path.
 */
export class FusedDelimitedDStream extends FusedKernelDStream {
  constructor(
    lines: DStream<string>,
    readonly spec: DelimitedSpec,
    fallback: DStream<Pair<string, number>>,
    /** The keyValueFields stream the kernel call stands in for; it counts malformed lines. */
    readonly parser: FlatMappedDStream<string, Pair<string, number>>,
  ) {
    super(lines, fallback);
  }

  protected runKernel(kernels: Kernels, bytes: Uint8Array, time: number): KernelPairs {
    const { result, malformed } = kernels.aggregateDelimited(bytes, this.spec);
    this.parser.countMalformed(time, malformed);
    return { result, merge: REDUCERS[this.spec.reducer] };
  }
}
