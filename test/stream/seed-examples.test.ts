import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type BatchInfo,
  keyValueFields,
  ManualClock,
  pairWithOne,
  Receiver,
  splitWhitespace,
  StreamingContext,
  sum,
} from '../../src/index.js';

/** Stands in for the seed's socket source: the test pushes lines as UTF-8 bytes, as a socket receiver stores them. */
class PushReceiver extends Receiver {
  onStart(): void {}
  onStop(): void {}
  push(text: string): void {
    this.store(new TextEncoder().encode(text));
  }
}

const DASHES = '-------------------------------------------';

test("seed NetworkWordCount: receiver → flatMap(splitWhitespace) → map(pairWithOne) → reduceByKey(sum) → print, on the default (WASM) kernels", async () => {
  const clock = new ManualClock();
  const lines: string[] = [];
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock, output: (line) => lines.push(line) });
  assert.equal(ssc.kernels?.kind, 'wasm');
  const receiver = new PushReceiver();
  ssc.receiverStream(receiver).flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum).print();
  ssc.start();
  receiver.push('长江 长江 这是 黄河\n');
  await clock.advance(1000);
  await clock.advance(1000);
  await ssc.stop();
  assert.deepStrictEqual(lines, [
    DASHES, 'Time: 1000 ms', DASHES, '(长江,2)', '(这是,1)', '(黄河,1)', '',
    DASHES, 'Time: 2000 ms', DASHES, '',
  ]);
});

test('seed orders: per-province totals per batch from a receiver, malformed lines counted in BatchInfo', async () => {
  const clock = new ManualClock();
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock });
  const receiver = new PushReceiver();
  const totals: [number, [string, number][]][] = [];
  const infos: BatchInfo[] = [];
  ssc.addStreamingListener({ onBatchCompleted: ({ batchInfo }) => infos.push(batchInfo) });
  ssc
    .receiverStream(receiver)
    .flatMap(keyValueFields(',', 1, 2, { expectedFields: 3 }))
    .reduceByKey(sum)
    .foreachRDD((batch, time) => {
      totals.push([time, batch.collect().map(([k, v]) => [k, v] as [string, number]).sort()]);
    });
  ssc.start();
  receiver.push('201710261645320001,12,45.00\n201710261645320002,12,20.00\n\n201710261645320301,14,10.00\n');
  await clock.advance(1000);
  receiver.push('201710261645320034,21,100.50\nbroken line\n201710261645320021,14,2.00,x\n201710261645323501,12,1.50\n');
  await clock.advance(1000);
  await ssc.stop();
  assert.deepStrictEqual(totals, [
    [1000, [['12', 65], ['14', 10]]],
    [2000, [['12', 1.5], ['21', 100.5]]],
  ]);
  assert.deepStrictEqual(infos.map((i) => [i.numRecords, i.counters['malformedRecords'] ?? 0]), [[4, 1], [4, 2]]);
});
