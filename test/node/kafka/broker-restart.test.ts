/**
 * A broker restart between batches: an exactly-once word count runs against
 * its own broker (own-broker.ts), which is stopped (SIGTERM) for a few
 * batches and started again on the same ports and data dir. The context
 * keeps running, the listener sees retriable errors, and a read_committed
 * reader sees every count exactly once. (A restart while a batch writes its
 * transaction: broker-restart-mid-batch.test.ts.)
 */
import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import { StreamingContext, pairWithOne, splitWhitespace, sum, type ReceiverInfo } from '../../../src/index.js';
import { kafkaDirectStream, kafkaValues, toKafka } from '../../../src/node/index.js';
import { createTopic, produceLines, readTopic, referenceWordCounts } from './broker.js';
import { totals } from './crash-runs.js';
import { OUTAGE_OPTIONS, cleanups, committedUpTo, current, startAgain, stopBroker, wordLines } from './own-broker.js';

it('a broker restart mid-stream (SIGTERM, same ports and data dir) loses and duplicates nothing: a read_committed reader sees every count exactly once', async () => {
  const input = await createTopic('restart-in');
  const output = await createTopic('restart-out', 2);
  const groupId = `g-${input}`;
  const before = wordLines(3000, 'before');
  await produceLines(input, before);

  const ssc = new StreamingContext({ batchIntervalMs: 300 });
  cleanups.push(() => ssc.stop());
  const reports: ReceiverInfo[] = [];
  ssc.addStreamingListener({ onReceiverError: ({ receiverInfo }) => void reports.push(receiverInfo) });
  const records = kafkaDirectStream(ssc, { ...OUTAGE_OPTIONS, brokers: current.brokers, topics: input, groupId, maxRatePerPartition: 2000 });
  toKafka(kafkaValues(records).flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum), output);
  let failure: unknown;
  ssc.start();
  ssc.awaitTermination().catch((error: unknown) => (failure = error));

  // Stopped between batches: the stream keeps reading every 300 ms, and each read fails and is retried.
  await committedUpTo(groupId, input, () => failure);
  const stopped = await stopBroker();
  // A few batch intervals with the broker down: each read fails and is retried.
  await new Promise((r) => setTimeout(r, 2000));
  await startAgain(stopped);
  const later = wordLines(2000, 'after');
  await produceLines(input, later);
  await committedUpTo(groupId, input, () => failure);
  await ssc.stop();
  assert.equal(failure, undefined, `the stream failed: ${String(failure)}`);

  const got = totals(await readTopic(output));
  assert.deepEqual(new Map([...got].sort()), new Map([...referenceWordCounts([...before, ...later])].sort()));
  assert.ok(reports.length >= 1, 'the broker outage was reported to the listener');
  assert.ok(reports.every((r) => r.lastError !== undefined && (r.lastError as { retriable?: boolean }).retriable === true), 'every reported error was retriable');
});
