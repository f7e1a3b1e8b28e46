import { Batch, type Pair } from '../batch/batch.js';
import { cogroupPairs } from '../batch/joins.js';
import { DStream } from '../engine/dstream.js';
import { InvalidArgumentError } from '../errors.js';
import { requireStreamOf } from '../arguments.js';

/**
 * `cogroup(other)`: per batch, (key, [values in this stream, values in
 * other]) for every key present on either side (an absent side is []).
 * Both streams must belong to one context and have the same slide. The
 * joins (join.ts, left/right/full-outer-join.ts) are built on it.
 */
export class CoGroupedDStream<K, V, W> extends DStream<Pair<K, readonly [V[], W[]]>> {
  readonly dependencies: readonly DStream<unknown>[];

  constructor(
    readonly left: DStream<Pair<K, V>>,
    readonly right: DStream<Pair<K, W>>,
    operator = 'cogroup',
  ) {
    requireStreamOf(operator, right, left.context);
    if (right.slideDurationMs !== left.slideDurationMs) {
      throw new InvalidArgumentError(
        `${operator} of streams with different slides (${left.slideDurationMs} ms and ${right.slideDurationMs} ms): window them to the same slide first`,
      );
    }
    super(left.context);
    this.dependencies = [left, right];
  }

  compute(time: number): Batch<Pair<K, readonly [V[], W[]]>> | undefined {
    const left = this.left.getOrCompute(time);
    const right = this.right.getOrCompute(time);
    if (left === undefined && right === undefined) return undefined;
    return Batch.of(cogroupPairs(left?.collect() ?? [], right?.collect() ?? []));
  }
}

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /** Per batch, (key, [this stream's values, other's values]) for every key on either side. */
    cogroup<K, V, W>(this: DStream<Pair<K, V>>, other: DStream<Pair<K, W>>): DStream<Pair<K, readonly [V[], W[]]>>;
  }
}

DStream.prototype.cogroup = function cogroup<K, V, W>(this: DStream<Pair<K, V>>, other: DStream<Pair<K, W>>): DStream<Pair<K, readonly [V[], W[]]>> {
  return new CoGroupedDStream(this, other);
};
