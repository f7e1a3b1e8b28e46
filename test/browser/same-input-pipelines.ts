// The same two pipelines over the same generated input, for every runtime
// (Node, a browser's main thread, a Web Worker owning a pool on one shared
// memory): word count over the mixed corpus (CJK, accents, emoji) and the
// largest order per province over the orders corpus with malformed lines.
// Max, not sum: a float sum may round differently when the pool splits a batch.
import { type Kernels, ManualClock, StreamingContext, keyValueFields, max, pairWithOne, splitWhitespace, sum } from '../../src/index.js';
import { corpusBytes } from '../../src/corpus/index.js';

export interface PipelineResults {
  readonly words: (readonly [string, number])[];
  readonly maxOrder: (readonly [string, number])[];
  readonly malformed: number;
  readonly kernels: string;
  readonly kernelCalls: number;
}

function lines(bytes: Uint8Array): string[] {
  return new TextDecoder().decode(bytes).split('\n').filter((line) => line !== '');
}

export async function runPipelines(kernels: Kernels): Promise<PipelineResults> {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock(), kernels });
  const words: (readonly [string, number])[] = [];
  const maxOrder: (readonly [string, number])[] = [];
  ssc.queueStream([lines(corpusBytes('mixed', 200_000))]).flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum)
    .foreachRDD((batch) => void words.push(...batch.collect()));
  ssc.queueStream([lines(corpusBytes('orders', 60_000, { malformedRate: 0.05 }))]).flatMap(keyValueFields(',', 1, 2, { expectedFields: 3 })).reduceByKey(max)
    .foreachRDD((batch) => void maxOrder.push(...batch.collect()));
  ssc.start();
  const info = await ssc.runBatch();
  await ssc.stop();
  return { words, maxOrder, malformed: info.counters['malformedRecords'] ?? 0, kernels: info.kernels, kernelCalls: info.kernelCalls };
}
