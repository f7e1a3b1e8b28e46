/** A context on a ManualClock with 1 s batches that records every completed batch's BatchInfo, for the Kafka tests. */
import { ManualClock, StreamingContext, type BatchInfo } from '../../../src/index.js';

export const INTERVAL = 1000;

export function manualContext(): { ssc: StreamingContext; clock: ManualClock; infos: BatchInfo[] } {
  const clock = new ManualClock(0);
  const ssc = new StreamingContext({ batchIntervalMs: INTERVAL, clock });
  const infos: BatchInfo[] = [];
  ssc.addStreamingListener({ onBatchCompleted: ({ batchInfo }) => infos.push(batchInfo) });
  return { ssc, clock, infos };
}
