/**
 * The record values of a Kafka stream as lines backed by bytes: the values
 * are copied once into a RecordBatch (no decoding), so a chain such as
 * `kafkaValues(stream).flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum)`
 * or `keyValueFields` → reduceByKey runs as one kernel call over them, and
 * decodes to strings only when a JS closure needs them.
 *
 * As everywhere lines are bytes, a value holding '\n' counts as several
 * lines; null values (tombstones) are skipped and counted in the batch's
 * `skippedNullValues`; values over `maxRecordBytes` are dropped and counted
 * in its `droppedTooLongRecords`.
 */
import { Batch } from '../../batch/batch.js';
import { DStream } from '../../engine/dstream.js';
import { RecordBatchBuilder } from '../../kernels/record-batch.js';
import { requireStream } from '../../arguments.js';
import type { KafkaRecord } from './client.js';
import { offsetRangesOf, setOffsetRanges } from './direct-stream.js';

/** The BatchInfo counter of records kafkaValues skipped because their value was null (tombstones). */
export const SKIPPED_NULL_VALUES_COUNTER = 'skippedNullValues';

/** The values of a Kafka stream's records as byte-backed lines (see the module comment). */
export class KafkaValuesDStream extends DStream<string> {
  readonly dependencies: readonly DStream<unknown>[];

  constructor(
    readonly parent: DStream<KafkaRecord>,
    private readonly maxRecordBytes?: number,
  ) {
    super(parent.context);
    this.dependencies = [parent];
  }

  compute(time: number): Batch<string> | undefined {
    const records = this.parent.getOrCompute(time);
    if (records === undefined) return undefined;
    let bytes = 0;
    let count = 0;
    let nulls = 0;
    for (const part of records.partitions) {
      for (const record of part) {
        if (record.value === null) {
          nulls++;
          continue;
        }
        bytes += record.value.length + 1;
        count++;
      }
    }
    if (nulls > 0) this.context.addBatchCounter(time, SKIPPED_NULL_VALUES_COUNTER, nulls);
    const builder = new RecordBatchBuilder({ initialBytes: bytes + 64, initialRecords: count + 16, ...(this.maxRecordBytes === undefined ? {} : { maxRecordBytes: this.maxRecordBytes }) });
    for (const part of records.partitions) for (const record of part) if (record.value !== null) builder.append(record.value);
    if (builder.droppedTooLong > 0) this.context.addBatchCounter(time, 'droppedTooLongRecords', builder.droppedTooLong);
    const batch = Batch.fromRecords(builder.build());
    const ranges = offsetRangesOf(records);
    if (ranges !== undefined) setOffsetRanges(batch, ranges);
    return batch;
  }
}

/** The values of `stream`'s records as byte-backed lines (see KafkaValuesDStream). */
export function kafkaValues(stream: DStream<KafkaRecord>, options: { maxRecordBytes?: number } = {}): DStream<string> {
  requireStream('kafkaValues(stream)', stream, 'kafkaValues(kafkaDirectStream(ssc, options))');
  return new KafkaValuesDStream(stream, options.maxRecordBytes);
}
