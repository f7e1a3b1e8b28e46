import type { FileSink } from '../checkpoint/store.js';
import { formatElement } from '../batch/format.js';
import { InvalidArgumentError } from '../errors.js';
import { describeValue } from '../arguments.js';
import { DStream } from '../engine/dstream.js';
import { ForEachDStream } from './foreach-dstream.js';

/** Spark's folder name for a batch (rddToFileName): `prefix-<ms>.suffix`; an empty prefix or suffix leaves out its part and separator. */
export function batchFolderName(prefix: string, suffix: string | undefined, time: number): string {
  const named = prefix === '' ? `${time}` : `${prefix}-${time}`;
  return suffix === undefined || suffix === '' ? named : `${named}.${suffix}`;
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
  if (typeof prefix !== 'string' || (suffix !== undefined && typeof suffix !== 'string')) {
    throw new InvalidArgumentError(
      `saveAsTextFiles(prefix, suffix?) needs strings, e.g. saveAsTextFiles('out/counts', 'txt') for folders out/counts-<ms>.txt; got ${describeValue(prefix)}${suffix === undefined ? '' : ` and ${describeValue(suffix)}`}`,
    );
  }
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
