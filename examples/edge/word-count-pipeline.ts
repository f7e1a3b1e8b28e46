/**
 * The example's pipeline: running word counts over POSTed lines, and running
 * order totals per province over `orderId,province,amount` records from a
 * queue. Both are updateStateByKey(runningSum), so their state lives in the
 * checkpoint: every request restores it from the store, adds one batch, and
 * writes it back. Batch times come from the checkpoint, not from a timer.
 */
import {
  type BatchInfo, type CheckpointStore, type Kernels, ManualClock, StreamingContext, keyValueFields, pairWithOne, runningSum, splitWhitespace,
} from 'sluice/edge';
import { RequestReceiver } from './request-receiver.js';

export interface Input {
  readonly lines?: readonly string[];
  readonly orders?: readonly string[];
}

export interface Totals {
  readonly batchTime: number;
  /** The kernels the batch ran on, and how many fused kernel calls it made. */
  readonly kernels: BatchInfo['kernels'];
  readonly kernelCalls: number;
  /** Order records that were not `orderId,province,amount` with a numeric amount. */
  readonly malformedOrders: number;
  readonly words: Record<string, number>;
  readonly orderTotals: Record<string, number>;
}

const BATCH_INTERVAL_MS = 1000;

/** Runs one batch over `input` on top of the state in `store`, writes the new state back, and returns the running totals. */
export async function runOneBatch(store: CheckpointStore, kernels: Kernels, input: Input): Promise<Totals> {
  const lines = new RequestReceiver('lines');
  const orders = new RequestReceiver('orders');
  const words: Record<string, number> = {};
  const orderTotals: Record<string, number> = {};
  const ssc = await StreamingContext.getOrCreate(store, () => {
    // A ManualClock never fires by itself: batches run when runBatch() says so.
    const context = new StreamingContext({ batchIntervalMs: BATCH_INTERVAL_MS, clock: new ManualClock(), kernels });
    context.receiverStream(lines).flatMap(splitWhitespace).map(pairWithOne).updateStateByKey(runningSum).name('word-counts')
      .foreachRDD((batch) => void Object.assign(words, Object.fromEntries(batch.collect())));
    context.receiverStream(orders).flatMap(keyValueFields(',', 1, 2, { expectedFields: 3 })).updateStateByKey(runningSum).name('order-totals')
      .foreachRDD((batch) => void Object.assign(orderTotals, Object.fromEntries(batch.collect())));
    return context;
  });
  ssc.start();
  try {
    lines.push(input.lines ?? []);
    orders.push(input.orders ?? []);
    const info = await ssc.runBatch();
    return {
      batchTime: info.batchTime,
      kernels: info.kernels,
      kernelCalls: info.kernelCalls,
      malformedOrders: info.counters['malformedRecords'] ?? 0,
      words,
      orderTotals,
    };
  } finally {
    await ssc.stop();
  }
}
