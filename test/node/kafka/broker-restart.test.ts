/**
 * A broker restart mid-stream: an exactly-once word count runs against its
 * own broker (not the shared one), which is stopped (SIGTERM) for a few
 * batches and started again on the same ports and data dir. A read_committed
 * reader must then see every count exactly once.
 */
import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { after, it } from 'node:test';
import { StreamingContext, pairWithOne, splitWhitespace, sum, type ReceiverInfo } from '../../../src/index.js';
import { kafkaDirectStream, kafkaValues, toKafka } from '../../../src/node/index.js';
import { committedOffsets, createTopic, endOffsets, produceLines, readTopic, referenceWordCounts } from './broker.js';
import { totals } from './crash-runs.js';

interface OwnBroker {
  readonly brokers: string;
  readonly port: number;
  readonly controllerPort: number;
  readonly home: string;
  stop(): Promise<void>;
}
interface BrokerOptions {
  readonly port?: number;
  readonly controllerPort?: number;
  readonly home?: string;
  readonly keepData: boolean;
}
const script = new URL('../../../../scripts/kafka-broker.mjs', import.meta.url).href;
const { startBroker } = (await import(script)) as { startBroker: (options: BrokerOptions) => Promise<OwnBroker> };

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  // Bounded: after a failed assertion the broker may be down, and a stop waiting on it must not hang the file.
  for (const cleanup of cleanups.reverse()) await Promise.race([cleanup().catch(() => undefined), new Promise((r) => setTimeout(r, 15_000).unref())]);
});

async function committedUpTo(groupId: string, topic: string, failure: () => unknown, timeoutMs = 60_000): Promise<void> {
  const ends = await endOffsets(topic);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    assert.equal(failure(), undefined, `the stream failed: ${String(failure())}`);
    const committed = await committedOffsets(groupId, topic);
    if ([...ends].every(([p, end]) => committed.get(p) === end)) return;
    assert.ok(Date.now() < deadline, `not all committed: ${JSON.stringify([...committed])} of ${JSON.stringify([...ends])}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function wordLines(n: number, tag: string): string[] {
  return Array.from({ length: n }, (_, i) => `${tag} w${i % 37} common x${i % 5}`);
}

it('a broker restart mid-stream (SIGTERM, same ports and data dir) loses and duplicates nothing: a read_committed reader sees every count exactly once', async () => {
  const first = await startBroker({ keepData: true });
  cleanups.push(async () => rmSync(first.home, { recursive: true, force: true }));
  let current: OwnBroker = first;
  cleanups.push(() => current.stop());
  // This file's helpers (createTopic, produceLines, readTopic) talk to this broker, not the shared one.
  process.env.KAFKA_BROKERS = first.brokers;

  const input = await createTopic('restart-in');
  const output = await createTopic('restart-out', 2);
  const groupId = `g-${input}`;
  const before = wordLines(3000, 'before');
  await produceLines(input, before);

  const ssc = new StreamingContext({ batchIntervalMs: 300 });
  cleanups.push(() => ssc.stop());
  const reports: ReceiverInfo[] = [];
  ssc.addStreamingListener({ onReceiverError: ({ receiverInfo }) => void reports.push(receiverInfo) });
  const records = kafkaDirectStream(ssc, {
    brokers: first.brokers,
    topics: input,
    groupId,
    resetOffsets: 'earliest',
    maxRatePerPartition: 2000,
    exactlyOnce: true,
    // Few client-level retries, so an outage reaches sluice's own retry (and its listener) instead of stalling inside kafkajs.
    clientOptions: { retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 }, connectionTimeout: 500 },
    retry: { initialDelayMs: 200, maxDelayMs: 1000, maxRetryMs: 60_000 },
  });
  toKafka(kafkaValues(records).flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum), output);
  let failure: unknown;
  ssc.start();
  ssc.awaitTermination().catch((error: unknown) => (failure = error));

  // Stopped between batches: the stream keeps reading every 300 ms, and each read fails and is retried.
  // (Stopped while a batch writes its transaction, the batch fails and the context stops: see the report of issue 10.)
  await committedUpTo(groupId, input, () => failure);
  await first.stop();
  // A few batch intervals with the broker down: each read fails and is retried.
  await new Promise((r) => setTimeout(r, 2000));
  current = await startBroker({ port: first.port, controllerPort: first.controllerPort, home: first.home, keepData: true });
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
