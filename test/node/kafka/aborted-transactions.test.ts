/**
 * The read_committed filter that replaces kafkajs's: unit cases on fetched
 * records as kafkajs decodes them, kafkajs's own Batch using it in this
 * process, and a real broker read that starts inside two aborted
 * transactions (where kafkajs 2.2.4's filter lets records of the second
 * one through).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { after, describe, it } from 'node:test';
import { withoutAbortedRecords, type FetchedRecord } from '../../../src/node/kafka/aborted-transactions.js';
import { Kafka, logLevel } from '../../../src/node/kafka/kafkajs.js';
import { kafkajsReadCommittedFixed } from '../../../src/node/kafka/kafkajs-read-committed.js';
import { kafkajsClient } from '../../../src/node/kafka/kafkajs-client.js';
import { createTopic, kafkaBrokers } from './broker.js';

const record = (offset: number, producerId: string, inTransaction = true): FetchedRecord => ({
  offset: String(offset), key: new Uint8Array([1]), isControlRecord: false, batchContext: { producerId, inTransaction },
});
const abortMarker = (offset: number, producerId: string): FetchedRecord => ({
  offset: String(offset), key: new Uint8Array([0, 0, 0, 0]), isControlRecord: true, batchContext: { producerId, inTransaction: true },
});
const offsetsOf = (records: readonly FetchedRecord[]): string[] => records.map((r) => `${r.offset}/${r.batchContext?.producerId ?? '-'}`);

describe('withoutAbortedRecords', () => {
  it('drops the records of every aborted transaction begun before the first record fetched, not only the first one listed', () => {
    const messages = [record(110, '2'), record(111, '1'), record(112, '2'), record(113, '3'), abortMarker(114, '1'), abortMarker(115, '2'), record(116, '1')];
    const kept = withoutAbortedRecords({ messages, abortedTransactions: [{ producerId: '2', firstOffset: '105' }, { producerId: '1', firstOffset: '100' }] });
    // 113 is another producer's; 116 is producer 1's next transaction, after its abort marker.
    assert.deepEqual(offsetsOf(kept), ['113/3', '114/1', '115/2', '116/1']);
  });

  it('keeps records that are not in a transaction, and everything when no transaction was aborted', () => {
    const messages = [record(5, '7', false), record(6, '7')];
    assert.deepEqual(offsetsOf(withoutAbortedRecords({ messages, abortedTransactions: [{ producerId: '7', firstOffset: '0' }] })), ['5/7']);
    assert.equal(withoutAbortedRecords({ messages, abortedTransactions: [] }), messages);
    assert.equal(withoutAbortedRecords({ messages }), messages);
    const oldFormat: FetchedRecord = { offset: '9', key: null };
    assert.deepEqual(offsetsOf(withoutAbortedRecords({ messages: [oldFormat], abortedTransactions: [{ producerId: '7', firstOffset: '0' }] })), ['9/-']);
  });

  it('a data record whose key happens to be four zero bytes does not end a transaction', () => {
    const lookalike: FetchedRecord = { ...record(3, '1'), key: new Uint8Array([0, 0, 0, 0]) };
    const kept = withoutAbortedRecords({ messages: [record(2, '1'), lookalike, record(4, '1')], abortedTransactions: [{ producerId: '1', firstOffset: '2' }] });
    assert.deepEqual(offsetsOf(kept), []);
  });

  it('is the filter kafkajs\'s own Batch runs in this process', () => {
    assert.equal(kafkajsReadCommittedFixed, true);
    const Batch = createRequire(import.meta.url)('kafkajs/src/consumer/batch.js') as new (topic: string, fetchedOffset: string, data: unknown) => { messages: { offset: string }[] };
    const batch = new Batch('t', '110', {
      partition: 0, highWatermark: '200', messages: [record(110, '2'), record(111, '3')],
      abortedTransactions: [{ producerId: '1', firstOffset: '100' }, { producerId: '2', firstOffset: '105' }],
    });
    assert.deepEqual(batch.messages.map((m) => m.offset), ['111']);
  });
});

it('importing sluice/node first fixes kafkajs in a fresh process; importing kafkajs before it cannot, and says so', () => {
  const entry = new URL('../../../src/node/index.js', import.meta.url).href;
  const fixed = (script: string): string => execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim();
  assert.equal(fixed(`const m = await import(${JSON.stringify(entry)}); console.log(m.kafkajsReadCommittedFixed);`), 'true');
  assert.equal(fixed(`await import('kafkajs'); const m = await import(${JSON.stringify(entry)}); console.log(m.kafkajsReadCommittedFixed);`), 'false');
  // Then the first Kafka stream says so, once, through the context's logger.
  const core = new URL('../../../src/index.js', import.meta.url).href;
  const warned = fixed(
    `await import('kafkajs'); const node = await import(${JSON.stringify(entry)}); const { StreamingContext } = await import(${JSON.stringify(core)});` +
      `const lines = []; const ssc = new StreamingContext({ batchIntervalMs: 1000, logger: { warn: (m) => lines.push(m), info: () => {} } });` +
      `for (const topics of [['a'], ['b']]) node.kafkaDirectStream(ssc, { brokers: ['127.0.0.1:1'], topics, groupId: 'g' });` +
      `console.log(JSON.stringify(lines));`,
  );
  const lines = JSON.parse(warned) as string[];
  assert.equal(lines.length, 1, warned);
  assert.match(lines[0] ?? '', /Import sluice\/node before kafkajs/);
});

describe('read_committed across two aborted transactions (real broker)', () => {
  const client = kafkajsClient({ brokers: kafkaBrokers().split(',') });
  after(() => client.close());

  it('a range starting inside two interleaved aborted transactions reads only the committed records after them', async () => {
    const topic = await createTopic('aborted-pair', 1);
    const kafka = new Kafka({ clientId: 'aborted-pair', brokers: kafkaBrokers().split(','), logLevel: logLevel.NOTHING });
    const producers = ['a', 'b', 'c'].map((name) => kafka.producer({ transactionalId: `aborted-pair-${name}-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 }));
    try {
      for (const producer of producers) await producer.connect();
      const [first, second, committed] = producers as [(typeof producers)[0], (typeof producers)[0], (typeof producers)[0]];
      const one = await first.transaction();
      const two = await second.transaction();
      const send = (tx: typeof one, tag: string) => tx.send({ topic, messages: [0, 1, 2].map((i) => ({ value: `${tag}${i}`, partition: 0 })) });
      // Offsets 0-2 first, 3-5 second, 6-8 first, 9-11 second: each send is a record batch of its own.
      await send(one, 'first');
      await send(two, 'second');
      await send(one, 'first-again');
      await send(two, 'second-again');
      await one.abort();
      await two.abort();
      const three = await committed.transaction();
      await send(three, 'kept');
      await three.commit();
    } finally {
      for (const producer of producers) await producer.disconnect();
    }
    // 12 records, 2 abort markers, 3 records and a commit marker; a commit or abort returns before its markers are written.
    const settledBy = Date.now() + 30_000;
    let end = (await client.latestOffsets([topic]))[0];
    while ((end?.offset ?? 0) < 18 && Date.now() < settledBy) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      end = (await client.latestOffsets([topic]))[0];
    }
    assert.equal(end?.offset, 18, 'every marker written');
    const reader = await client.rangeReader([topic]);
    try {
      // From offset 4: a record of the second transaction, after both transactions' first offsets.
      const [records] = await reader.read([{ topic, partition: 0, fromOffset: 4, untilOffset: end?.offset ?? 0 }]);
      assert.deepEqual(records?.map((r) => new TextDecoder().decode(r.value ?? undefined)), ['kept0', 'kept1', 'kept2']);
    } finally {
      await reader.close();
    }
  });
});
