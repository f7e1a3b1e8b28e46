import { Batch, InputDStream, recordBatchFromLines, type StreamingContext } from '../../src/internals.js';

/**
 * Spark's TestInputStream: batch i (the i-th batch after start) gets
 * `input[i]`, or an empty batch past the end. With `asRecords`, string input
 * is handed over as byte-backed batches, the way receivers deliver lines.
 * Replayable: the data of a batch depends only on its time.
 */
export class TestInputDStream<T> extends InputDStream<T> {
  constructor(
    context: StreamingContext,
    private readonly input: readonly (readonly T[])[],
    private readonly options: { asRecords?: boolean } = {},
  ) {
    super(context);
  }

  protected take(time: number): Batch<T> {
    const index = Math.round((time - (this.zeroTime as number)) / this.slideDurationMs) - 1;
    const data = this.input[index] ?? [];
    if (this.options.asRecords === true) {
      return Batch.fromRecords(recordBatchFromLines(data as unknown as readonly string[])) as unknown as Batch<T>;
    }
    return Batch.of(data);
  }
}
