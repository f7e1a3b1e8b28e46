/**
 * The pipeline `sluice wordcount --socket` runs (socket receiver → lines →
 * words → (word, 1) → reduceByKey(sum) → an output forcing every batch), run
 * in-process for a fixed time so that the benchmarks can read each batch's
 * BatchInfo. Shared by bench:e2e and bench:spark.
 */
import { StreamingContext, pairWithOne, splitWhitespace, sum, type BatchInfo } from '../src/index.js';
import { SocketReceiver } from '../src/node/socket-receiver.js';
import { openKernels } from '../src/node/cli/kernels-option.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface PipelineRun {
  /** Bytes received per second over the measured window. */
  readonly mbPerSec: number;
  /** Batches whose batch time fell in the measured window. */
  readonly batches: readonly BatchInfo[];
  readonly from: number;
  readonly to: number;
}

/** Reads from 127.0.0.1:port for warmUpMs, then measures for `seconds`; maxLinesPerSecond holds the sender back (as --max-rate). */
export async function runSluiceWordCount(
  port: number,
  options: { batchMs: number; workers: number; warmUpMs: number; seconds: number; maxLinesPerSecond?: number },
): Promise<PipelineRun> {
  const kernels = await openKernels(options.workers);
  const ssc = new StreamingContext({ batchIntervalMs: options.batchMs, kernels: kernels.kernels });
  const receiver = new SocketReceiver('127.0.0.1', port);
  if (options.maxLinesPerSecond !== undefined) receiver.setMaxRate(options.maxLinesPerSecond);
  ssc
    .receiverStream(receiver)
    .flatMap(splitWhitespace)
    .map(pairWithOne)
    .reduceByKey(sum)
    // The output forces each batch's count, as print() would, without printing.
    .foreachRDD((batch) => void batch.count());
  const infos: BatchInfo[] = [];
  ssc.addStreamingListener({ onBatchCompleted: ({ batchInfo }) => void infos.push(batchInfo) });
  ssc.start();
  await sleep(options.warmUpMs);
  const startBytes = receiver.stats.bytesReceived;
  const from = Date.now();
  await sleep(options.seconds * 1000);
  const to = Date.now();
  const mbPerSec = (receiver.stats.bytesReceived - startBytes) / 1e6 / ((to - from) / 1000);
  await ssc.stop();
  await kernels.close();
  return { mbPerSec, batches: infos.filter((info) => info.batchTime > from && info.batchTime <= to), from, to };
}

/** The value at quantile p (0..1) of `values` (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}
