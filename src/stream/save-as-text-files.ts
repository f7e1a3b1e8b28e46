import type { FileSink } from '../checkpoint/store.js';
import { formatElement } from '../batch/format.js';
import { InvalidArgumentError } from '../errors.js';
import { DStream } from '../engine/dstream.js';
import { ForEachDStream } from './foreach-dstream.js';

/** Spark's folder name for a batch: `prefix-<ms>.suffix`, or `prefix-<ms>` without a suffix. */
export function batchFolderName(prefix: string, suffix: string | undefined, time: number): string {
  return suffix === undefined || suffix === '' ? `${prefix}-${time}` : `${prefix}-${time}.${suffix}`;
}

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /**
     * Writes every batch as the folder `prefix-<ms>.suffix`, one part per
     * partition, elements as print() shows them, through `sink` (default:
     * the context's `fileSink`).
     */
    saveAsTextFiles(prefix: string, suffix?: string, sink?: FileSink): void;
  }
}

DStream.prototype.saveAsTextFiles = function saveAsTextFiles<T>(this: DStream<T>, prefix: string, suffix?: string, sink?: FileSink): void {
  const target = sink ?? this.context.fileSink;
  if (target === undefined) {
    throw new InvalidArgumentError(
      'saveAsTextFiles needs a FileSink: pass one as its third argument or as the StreamingContext option `fileSink` (NodeFileSink from sluice/node, or InMemoryFileSink)',
    );
  }
  new ForEachDStream(this, (batch, time) =>
    target.writeBatch(
      batchFolderName(prefix, suffix, time),
      batch.partitions.map((part) => part.map(formatElement)),
    ),
  ).register();
};
