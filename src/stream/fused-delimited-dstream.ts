import { Batch, type Pair } from '../batch/batch.js';
import { DStream } from '../engine/dstream.js';
import type { DelimitedSpec } from '../kernels/api.js';
import type { FlatMappedDStream } from './flat-map-dstream.js';
import { pairsOf } from './fused-word-count-dstream.js';
import { count, max, min, sum } from '../batch/builtins.js';

/** How two partial results of one key combine, per reducer (a count adds counts). */
const REDUCERS = { sum, count, min, max } as const;

/**
 * lines → keyValueFields(delimiter, keyField, valueField) → reduceByKey(reducer),
 * as ONE `kernels.aggregateDelimited` call over the batch's bytes; the
 * malformed lines it skips go into the batch's `malformedRecords` counter.
 * Built by the planner (fuse.ts); `fallback` is the same chain on the JS path.
 */
export class FusedDelimitedDStream extends DStream<Pair<string, number>> {
  readonly dependencies: readonly DStream<unknown>[];

  constructor(
    readonly lines: DStream<string>,
    readonly spec: DelimitedSpec,
    readonly fallback: DStream<Pair<string, number>>,
    /** The keyValueFields stream the kernel call stands in for; it counts malformed lines. */
    readonly parser: FlatMappedDStream<string, Pair<string, number>>,
  ) {
    super(lines.context);
    this.dependencies = [lines, fallback];
  }

  compute(time: number): Batch<Pair<string, number>> | undefined {
    const batch = this.lines.getOrCompute(time);
    if (batch === undefined) return undefined;
    const kernels = this.context.kernels;
    const records = kernels === undefined ? undefined : batch.asRecordBatch();
    if (kernels === undefined || records === undefined) return this.fallback.getOrCompute(time);
    const { result, malformed } = kernels.aggregateDelimited(records.data, this.spec);
    this.parser.countMalformed(time, malformed);
    return Batch.of(pairsOf(result, REDUCERS[this.spec.reducer]));
  }
}
