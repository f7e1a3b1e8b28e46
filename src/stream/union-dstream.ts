import type { Batch } from '../batch/batch.js';
import { InvalidArgumentError } from '../errors.js';
import { requireStreamOf } from '../arguments.js';
import { DStream } from '../engine/dstream.js';

/** `union(...others)`: the elements of all streams (same context, same slide). */
export class UnionDStream<T> extends DStream<T> {
  readonly dependencies: readonly DStream<unknown>[];
  readonly parents: readonly DStream<T>[];

  constructor(parents: readonly DStream<T>[]) {
    const first = parents[0];
    if (first === undefined) throw new InvalidArgumentError('union needs at least one stream');
    for (const p of parents) {
      requireStreamOf('union', p, first.context);
      if (p.slideDurationMs !== first.slideDurationMs) {
        throw new InvalidArgumentError(`union of streams with different slide durations (${first.slideDurationMs} ms and ${p.slideDurationMs} ms)`);
      }
    }
    super(first.context);
    this.parents = parents;
    this.dependencies = parents;
  }

  compute(time: number): Batch<T> | undefined {
    const batches: Batch<T>[] = [];
    for (const parent of this.parents) {
      const batch = parent.getOrCompute(time);
      if (batch !== undefined) batches.push(batch);
    }
    const [head, ...rest] = batches;
    return head?.union(...rest);
  }
}

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /** This stream's elements followed by the others', per batch. */
    union(...others: DStream<T>[]): DStream<T>;
  }
}

DStream.prototype.union = function union<T>(this: DStream<T>, ...others: DStream<T>[]): DStream<T> {
  return new UnionDStream([this, ...others]);
};
