import type { Batch } from '../batch/batch.js';
import { requireFunction } from '../arguments.js';
import { DStream } from '../engine/dstream.js';

/**
 * The output operator (Spark's ForEachDStream): runs `fn` on every batch, in
 * batch order, awaiting any promise it returns. A throw or rejection fails
 * the batch and stops the context. print and saveAsTextFiles are built on it.
 */
export class ForEachDStream<T> extends DStream<never> {
  readonly dependencies: readonly DStream<unknown>[];

  constructor(
    readonly parent: DStream<T>,
    readonly fn: (batch: Batch<T>, time: number) => void | Promise<void>,
  ) {
    super(parent.context);
    this.dependencies = [parent];
  }

  compute(_time: number): Batch<never> | undefined {
    return undefined;
  }

  override generateJob(time: number): (() => Promise<void>) | undefined {
    if (!this.isTimeValid(time)) return undefined;
    return async () => {
      const batch = this.parent.getOrCompute(time);
      if (batch !== undefined) await this.fn(batch, time);
    };
  }
}

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /** Runs `fn` on each batch (an output operation). */
    foreachRDD(fn: (batch: Batch<T>, time: number) => void | Promise<void>): void;
  }
}

DStream.prototype.foreachRDD = function foreachRDD<T>(this: DStream<T>, fn: (batch: Batch<T>, time: number) => void | Promise<void>): void {
  requireFunction('foreachRDD(fn)', fn, 'foreachRDD((batch, time) => console.log(time, batch.count()))');
  new ForEachDStream(this, fn).register();
};
