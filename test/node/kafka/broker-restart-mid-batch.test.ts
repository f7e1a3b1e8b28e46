/**
 * A broker restart while a batch writes its transaction: an exactly-once
 * word count runs against its own broker (own-broker.ts); an output
 * registered after toKafka stops the broker (SIGTERM) once that batch's
 * records are in its open transaction and earlier batches have committed,
 * and the broker starts again on the same ports and data dir 2 s later.
 * The batch's commit fails, its transaction is abandoned and written again
 * (batch-transaction.ts); the context keeps running, the listener sees
 * retriable errors, and a read_committed reader sees every count exactly once.
 */
import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import { StreamingContext, pairWithOne, splitWhitespace, sum, type ReceiverInfo } from '../../../src/index.js';
import { kafkaDirectStream, kafkaValues, toKafka } from '../../../src/node/index.js';
import { committedOffsets, createTopic, produceLines, readTopic, referenceWordCounts } from './broker.js';
import { totals } from './crash-runs.js';
import { OUTAGE_OPTIONS, cleanups, committedUpTo, current, startAgain, stopBroker, wordLines } from './own-broker.js';

it('a broker restart while a batch writes its transaction: the batch is written again in a new transaction, the context keeps running, a read_committed reader sees every count exactly once', async (t) => {
  const input = await createTopic('midtx-in');
  const output = await createTopic('midtx-out', 2);
  const groupId = `g-${input}`;
  const lines = wordLines(3600, 'mid');
  await produceLines(input, lines);

  const ssc = new StreamingContext({ batchIntervalMs: 300 });
  cleanups.push(() => ssc.stop());
  const reports: ReceiverInfo[] = [];
  ssc.addStreamingListener({ onReceiverError: ({ receiverInfo }) => void reports.push(receiverInfo) });
  let batchesWithRecords = 0;
  ssc.addStreamingListener({ onBatchCompleted: ({ batchInfo }) => void (batchInfo.numRecords > 0 && batchesWithRecords++) });
  // 400 records per partition per second: 120 per partition and batch, so the input lasts 10 batches (3 s).
  const records = kafkaDirectStream(ssc, { ...OUTAGE_OPTIONS, brokers: current.brokers, topics: input, groupId, maxRatePerPartition: 400 });
  const counts = kafkaValues(records).flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum);
  toKafka(counts, output);
  // Registered after toKafka, so it runs once that batch's records are in its open transaction, before the commit.
  let outage: Promise<void> | undefined;
  let stoppedInBatch: number | undefined;
  let stoppedAt = 0;
  let restartedAt = 0;
  let committedBefore = new Map<number, number>();
  counts.foreachRDD(async (batch, time) => {
    if (outage !== undefined || batchesWithRecords < 2 || batch.count() === 0) return;
    stoppedInBatch = time;
    // Committed offsets show a moment after the commit (markers are written asynchronously): wait for the earlier batches'.
    for (let tries = 0; ![...committedBefore.values()].some((o) => o > 0) && tries < 100; tries++) {
      committedBefore = await committedOffsets(groupId, input);
      await new Promise((r) => setTimeout(r, 50));
    }
    const stopped = await stopBroker();
    stoppedAt = Date.now();
    outage = (async () => {
      await new Promise((r) => setTimeout(r, 2000));
      await startAgain(stopped);
      restartedAt = Date.now();
    })();
  });
  let failure: unknown;
  ssc.start();
  ssc.awaitTermination().catch((error: unknown) => (failure = error));

  const deadline = Date.now() + 120_000;
  while (outage === undefined) {
    assert.equal(failure, undefined, `the stream failed: ${String(failure)}`);
    assert.ok(Date.now() < deadline, 'the broker was never stopped');
    await new Promise((r) => setTimeout(r, 100));
  }
  await outage;
  assert.ok([...committedBefore.values()].some((o) => o > 0), 'some offsets of the run were committed before the outage');
  assert.ok([...committedBefore.values()].every((o) => o < 1200), 'the input was not all read before the outage');
  await committedUpTo(groupId, input, () => failure);
  const caughtUpAt = Date.now();
  await ssc.stop();
  assert.equal(failure, undefined, `the stream failed: ${String(failure)}`);

  const committedRecords = await readTopic(output);
  const got = totals(committedRecords);
  assert.deepEqual(new Map([...got].sort()), new Map([...referenceWordCounts(lines)].sort()), `exact counts (broker stopped inside batch ${stoppedInBatch})`);
  assert.ok(reports.length >= 1, 'the outage was reported to the listener');
  assert.ok(reports.every((r) => (r.lastError as { retriable?: boolean } | undefined)?.retriable === true), 'every reported error was retriable');
  const outputSide = reports.filter((r) => /transaction|writing to topic/.test(r.lastErrorMessage ?? ''));
  assert.ok(outputSide.length >= 1, `the batch's transaction failed and was retried: ${reports.map((r) => r.lastErrorMessage).join(' | ')}`);
  const aborted = (await readTopic(output, { uncommitted: true })).length - committedRecords.length;
  assert.ok(aborted > 0, 'the interrupted transaction\'s records are in the log, aborted');
  t.diagnostic(`broker stopped inside batch ${stoppedInBatch}, down ${((restartedAt - stoppedAt) / 1000).toFixed(1)} s, all committed ${((caughtUpAt - restartedAt) / 1000).toFixed(1)} s after its restart; ${reports.length} retries reported (${outputSide.length} of the output side); ${aborted} aborted records`);
});
