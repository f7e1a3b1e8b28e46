/**
 * A batch's transaction against the real broker when a call fails: the
 * failures are real broker behaviour (a transaction outliving its timeout,
 * a fencing producer) or a real call whose answer is then lost (the client
 * below does the call, then throws what kafkajs throws when the broker goes
 * away), which is what a broker restart at that moment does. A
 * read_committed reader must see every record exactly once.
 */
import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { KafkaError, SluiceError } from '../../../src/index.js';
import type { GroupOffsets, KafkaClient, KafkaTransaction, TransactionalProducerPort } from '../../../src/node/kafka/client.js';
import { BatchCommits } from '../../../src/node/kafka/batch-commits.js';
import { kafkajsClient } from '../../../src/node/kafka/kafkajs-client.js';
import { retrying } from '../../../src/node/kafka/retry.js';
import { committedOffsets, createTopic, kafkaBrokers, readTopic } from './broker.js';

type Fault = 'send-after' | 'commit-before' | 'commit-after';

/** `client`, except that call number `skip + 1` of the kind named by `fault` fails as a lost connection does (before or after reaching the broker). */
function losingOnce(client: KafkaClient, fault: Fault, skip = 0): KafkaClient {
  let armed = true;
  let passed = 0;
  const lost = (): KafkaError => new KafkaError('ERR_SLUICE_KAFKA_BROKER_DOWN', 'Kafka failed (injected): Connection error: connect ECONNREFUSED', { retriable: true });
  const trip = (kind: Fault): boolean => {
    if (!armed || kind !== fault) return false;
    if (passed++ < skip) return false;
    armed = false;
    return true;
  };
  const wrapTx = (tx: KafkaTransaction): KafkaTransaction => ({
    send: async (topic, records) => {
      await tx.send(topic, records);
      if (trip('send-after')) throw lost();
    },
    commit: async (offsets?: GroupOffsets) => {
      if (trip('commit-before')) throw lost();
      await tx.commit(offsets);
      if (trip('commit-after')) throw lost();
    },
    abort: () => tx.abort(),
  });
  return {
    partitions: (t) => client.partitions(t),
    latestOffsets: (t) => client.latestOffsets(t),
    earliestOffsets: (t) => client.earliestOffsets(t),
    committedOffsets: (g, t) => client.committedOffsets(g, t),
    committedOffsetsWithMetadata: (g, t) => client.committedOffsetsWithMetadata(g, t),
    fenceTransactionalId: (id) => client.fenceTransactionalId(id),
    createTopics: (topics) => client.createTopics(topics),
    rangeReader: (t) => client.rangeReader(t),
    producer: () => client.producer(),
    transactionalProducer: async (id, options): Promise<TransactionalProducerPort> => {
      const producer = await client.transactionalProducer(id, options);
      return { fence: () => producer.fence(), begin: async () => wrapTx(await producer.begin()), close: () => producer.close() };
    },
    close: () => client.close(),
  };
}

interface Setup {
  readonly commits: BatchCommits;
  readonly retried: SluiceError[];
  readonly output: string;
  readonly input: string;
  readonly groupId: string;
}

describe('a batch transaction when a call fails', () => {
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    for (const close of closers) await close().catch(() => undefined);
  });

  async function setup(fault: Fault | undefined, transactionTimeoutMs = 10_000, transactionalId?: string, skip = 0): Promise<Setup> {
    const output = await createTopic('tx-out', 2);
    const input = await createTopic('tx-in', 1);
    const real = kafkajsClient({ brokers: kafkaBrokers().split(',') });
    const client = fault === undefined ? real : losingOnce(real, fault, skip);
    const retried: SluiceError[] = [];
    const retry = <T>(operation: () => Promise<T>): Promise<T> => retrying(operation, { initialDelayMs: 20, maxDelayMs: 200, maxRetryMs: 30_000 }, (error) => void retried.push(error));
    const commits = new BatchCommits(client, transactionalId ?? `sluice-test-${output}`, transactionTimeoutMs, retry);
    closers.push(async () => {
      await commits.close();
      await client.close();
    });
    await commits.start();
    return { commits, retried, output, input, groupId: `g-${input}` };
  }

  const values = (tag: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${tag}-${i}`);

  /** Batch `time` writes `records` in two sends and commits input offset `until`. */
  async function runBatch(s: Setup, time: number, records: readonly string[], until: number): Promise<void> {
    const tx = await s.commits.transactionFor(time);
    const half = Math.floor(records.length / 2);
    await tx.send(s.output, records.slice(0, half).map((value) => ({ value })));
    await tx.send(s.output, records.slice(half).map((value) => ({ value })));
    await s.commits.commit(time, { groupId: s.groupId, offsets: [{ topic: s.input, partition: 0, offset: until }] });
  }

  async function assertExactlyOnce(s: Setup, expected: readonly string[], until: number): Promise<void> {
    const seen = (await readTopic(s.output)).map((r) => r.value ?? '');
    assert.deepEqual(seen.sort(), [...expected].sort(), 'a read_committed reader sees every record exactly once');
    assert.equal((await committedOffsets(s.groupId, s.input)).get(0), until);
  }

  it('a send that reached the log but lost its answer: the batch is written again in a new transaction, once', async () => {
    const s = await setup('send-after');
    await runBatch(s, 1000, values('a', 40), 10);
    await runBatch(s, 2000, values('b', 40), 20);
    await assertExactlyOnce(s, [...values('a', 40), ...values('b', 40)], 20);
    assert.deepEqual(s.retried.map((e) => e.code), ['ERR_SLUICE_KAFKA_BROKER_DOWN'], 'the failure was retried and reported');
    const all = await readTopic(s.output, { uncommitted: true });
    assert.ok(all.length > 80, `the abandoned transaction's records are in the log, aborted (${all.length} records in all)`);
  });

  it('a commit that failed before reaching the broker: written again, once', async () => {
    const s = await setup('commit-before');
    await runBatch(s, 1000, values('a', 30), 7);
    await runBatch(s, 2000, values('b', 30), 9);
    await assertExactlyOnce(s, [...values('a', 30), ...values('b', 30)], 9);
    assert.equal(s.retried.length, 1);
  });

  it('a commit that happened but lost its answer: the committed offsets show it, so it is not written again', async () => {
    const s = await setup('commit-after');
    await runBatch(s, 1000, values('a', 30), 7);
    await runBatch(s, 2000, values('b', 30), 9);
    await assertExactlyOnce(s, [...values('a', 30), ...values('b', 30)], 9);
    assert.equal(s.retried.length, 1);
    const all = await readTopic(s.output, { uncommitted: true });
    assert.equal(all.length, 60, 'nothing was written twice, not even in an aborted transaction');
  });

  it('a batch that consumed nothing (offsets unchanged) and whose commit happened but lost its answer: its marker shows it, so it is not written again', async () => {
    const s = await setup('commit-after', 10_000, undefined, 1);
    await runBatch(s, 1000, values('a', 20), 7);
    await runBatch(s, 2000, values('b', 20), 7);
    await assertExactlyOnce(s, [...values('a', 20), ...values('b', 20)], 7);
    assert.equal(s.retried.length, 1, 'the second batch\'s commit was the one that lost its answer');
  });

  it('a batch that consumed nothing (offsets unchanged) and whose commit never reached the broker: its marker is missing, so it is written again, once', async () => {
    const s = await setup('commit-before', 10_000, undefined, 1);
    await runBatch(s, 1000, values('a', 20), 7);
    await runBatch(s, 2000, values('b', 20), 7);
    await assertExactlyOnce(s, [...values('a', 20), ...values('b', 20)], 7);
    assert.equal(s.retried.length, 1);
  });

  it('a transaction the broker aborted for outliving its timeout is written again (ERR_SLUICE_KAFKA_TRANSACTION_TIMED_OUT, retried)', async () => {
    const s = await setup(undefined, 1000);
    const tx = await s.commits.transactionFor(1000);
    await tx.send(s.output, values('slow', 20).map((value) => ({ value })));
    // The broker's abort check runs every second here (scripts/kafka-broker.mjs), so by now it has aborted the transaction.
    await new Promise((r) => setTimeout(r, 3500));
    await tx.send(s.output, values('late', 20).map((value) => ({ value })));
    await s.commits.commit(1000, { groupId: s.groupId, offsets: [{ topic: s.input, partition: 0, offset: 5 }] });
    await assertExactlyOnce(s, [...values('slow', 20), ...values('late', 20)], 5);
    assert.ok(s.retried.length >= 1);
    assert.ok(s.retried.every((e) => e.retriable));
    assert.equal(s.retried[0]?.code, 'ERR_SLUICE_KAFKA_TRANSACTION_TIMED_OUT');
    assert.match(s.retried[0]?.message ?? '', /raise transactionTimeoutMs/);
  });

  it('fenced by another instance within the timeout: the batch fails with ERR_SLUICE_KAFKA_FENCED and nothing of it is visible', async () => {
    const s = await setup(undefined);
    const tx = await s.commits.transactionFor(1000);
    await tx.send(s.output, values('zombie', 10).map((value) => ({ value })));
    const successor = new BatchCommits(kafkajsClient({ brokers: kafkaBrokers().split(',') }), s.commits.transactionalId, 10_000);
    closers.push(() => successor.close());
    await successor.start();
    await assert.rejects(
      s.commits.commit(1000, { groupId: s.groupId, offsets: [{ topic: s.input, partition: 0, offset: 3 }] }),
      (e: unknown) => e instanceof KafkaError && e.code === 'ERR_SLUICE_KAFKA_FENCED' && !e.retriable,
    );
    assert.deepEqual(s.retried, [], 'not retried');
    assert.deepEqual(await readTopic(s.output), []);
    assert.equal((await committedOffsets(s.groupId, s.input)).get(0), -1);
  });
});
