import type { Batch, MapResult } from '../batch/batch.js';
import { builtinOf } from '../batch/builtins.js';
import { requireFunction } from '../arguments.js';
import { DStream } from '../engine/dstream.js';

/** BatchInfo counter of records a built-in parser (keyValueFields) skipped as malformed. */
export const MALFORMED_RECORDS_COUNTER = 'malformedRecords';

/**
 * `flatMap(fn)`: every element of `fn(x)` for every x. With the built-in
 * `keyValueFields` parser, lines it rejects (empty result) are counted in
 * the batch's `malformedRecords` counter, as the fused kernel path counts them.
 */
export class FlatMappedDStream<T, U> extends DStream<U> {
  readonly dependencies: readonly DStream<unknown>[];
  /** Batch times whose malformed records were counted (this stream and fused chains parse the same lines). */
  private readonly malformedCounted = new Set<number>();

  constructor(
    readonly parent: DStream<T>,
    readonly fn: (value: T) => Iterable<U>,
  ) {
    super(parent.context);
    this.dependencies = [parent];
  }

  compute(time: number): Batch<U> | undefined {
    const batch = this.parent.getOrCompute(time);
    if (batch === undefined) return undefined;
    if (builtinOf(this.fn)?.kind !== 'keyValueFields') return batch.flatMap(this.fn);
    const parse = this.fn as unknown as (value: T) => readonly U[];
    let malformed = 0;
    const parsed = batch.flatMap((value) => {
      const produced = parse(value);
      if (produced.length === 0) malformed++;
      return produced;
    });
    this.countMalformed(time, malformed);
    return parsed;
  }

  /**
   * Adds the lines the parser rejected to batch `time`'s counter, once per
   * time: however many chains parse this stream's lines (this stream, fused
   * kernel calls of several consumers), each line is counted once.
   */
  countMalformed(time: number, malformed: number): void {
    if (this.malformedCounted.has(time)) return;
    this.malformedCounted.add(time);
    if (malformed > 0) this.context.addBatchCounter(time, MALFORMED_RECORDS_COUNTER, malformed);
  }

  override clearMetadata(time: number): void {
    super.clearMetadata(time);
    const keepAfter = time - (this.rememberDurationMs ?? this.slideDurationMs);
    for (const t of [...this.malformedCounted]) if (t <= keepAfter) this.malformedCounted.delete(t);
  }
}

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /** Every element of `fn(x)`, for every element x (e.g. lines → words). */
    flatMap<U extends MapResult>(fn: (value: T) => Iterable<U>): DStream<U>;
  }
}

DStream.prototype.flatMap = function flatMap<T, U>(this: DStream<T>, fn: (value: T) => Iterable<U>): DStream<U> {
  requireFunction('flatMap(fn)', fn, 'flatMap((line) => line.split(" ")) or flatMap(splitWhitespace)');
  return new FlatMappedDStream(this, fn);
};
