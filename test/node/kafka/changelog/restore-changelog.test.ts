import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { kafkajsClient } from '../../../../src/node/kafka/kafkajs-client.js';
import type { TransactionalProducerPort } from '../../../../src/node/kafka/client.js';
import { changelogRecords, initialStateLoadedRecord } from '../../../../src/node/kafka/changelog/changelog-topic.js';
import { ensureInternalTopics } from '../../../../src/node/kafka/changelog/internal-topics.js';
import { restoreChangelog } from '../../../../src/node/kafka/changelog/restore-changelog.js';
import { statePartition } from '../../../../src/node/kafka/changelog/state-keys.js';
import type { StateChange } from '../../../../src/stream/partitioned-state.js';
import { KeyMap } from '../../../../src/batch/key-map.js';
import { kafkaBrokers, testKafka } from '../broker.js';

const PARTITIONS = 3;

/** The state the changes leave: last state per key, removed keys gone. */
function fold(batches: readonly (readonly StateChange[])[]): KeyMap<unknown, unknown> {
  const state = new KeyMap<unknown, unknown>();
  for (const [key, value] of batches.flat()) {
    if (value === undefined) state.delete(key);
    else state.set(key, value);
  }
  return state;
}

/** Order-free view of entries, for comparing restored state with expected. */
function asSorted(entries: Iterable<readonly [unknown, unknown]>): [unknown, unknown][] {
  const text = (e: readonly [unknown, unknown]): string => JSON.stringify(e, (_k, v: unknown) => (v instanceof Map ? [...v] : typeof v === 'bigint' ? `${v}n` : v));
  return [...entries].map(([k, v]) => [k, v] as [unknown, unknown]).sort((a, b) => (text(a) < text(b) ? -1 : 1));
}

describe('restoreChangelog against a real broker', () => {
  const client = kafkajsClient({ brokers: kafkaBrokers().split(',') });
  after(() => client.close());

  async function newChangelog(): Promise<string> {
    const topic = `restore-${randomUUID().slice(0, 8)}-changelog`;
    await ensureInternalTopics(client, [{ topic, partitions: PARTITIONS, compacted: true, replicationFactor: 1 }]);
    return topic;
  }

  /**
   * A commit returns before its markers are in the partitions (the last stable offset catches up a little later);
   * fencing the transactional id waits for them, as a process claiming a partition does before it restores.
   */
  async function fence(transactionalId: string): Promise<void> {
    const successor = await client.transactionalProducer(transactionalId);
    await successor.fence();
    await successor.close();
  }

  async function writeInTransaction(producer: TransactionalProducerPort, topic: string, changes: readonly StateChange[], outcome: 'commit' | 'abort', partitions = PARTITIONS): Promise<void> {
    const tx = await producer.begin();
    await tx.send(topic, changelogRecords(changes, partitions));
    await (outcome === 'commit' ? tx.commit() : tx.abort());
  }

  it('restores exactly what committed batches left: last state per key, tombstones delete, aborted transactions and open ones ignored', async () => {
    const topic = await newChangelog();
    const id = `restore-test-${randomUUID()}`;
    const producer = await client.transactionalProducer(id);
    await producer.fence();
    const words = Array.from({ length: 120 }, (_, i) => `w${i}`);
    const committed: StateChange[][] = [
      [...words.map((w, i): StateChange => [w, i + 1]), [['12', 'city'], new Map([['n', 1]])], [7, { seen: new Set([1, 2]) }]],
      [...words.slice(0, 40).map((w): StateChange => [w, undefined]), ['w50', 5000], [['12', 'city'], new Map([['n', 2]])], [7, undefined]],
      [['w0', 1], ['w60', NaN], ['new', [undefined, -0]]],
    ];
    await writeInTransaction(producer, topic, committed[0] as StateChange[], 'commit');
    await writeInTransaction(producer, topic, committed[1] as StateChange[], 'commit');
    await writeInTransaction(producer, topic, [['w41', undefined], ['w50', -1], ['zombie', 1], ['w0', 99]], 'abort');
    await writeInTransaction(producer, topic, committed[2] as StateChange[], 'commit');
    await producer.close();
    await fence(id);
    // An open transaction (of another producer): its records are past the last stable offset, so a restore does not see them.
    const other = await client.transactionalProducer(`restore-test-${randomUUID()}`);
    await other.fence();
    const open = await other.begin();
    await open.send(topic, changelogRecords([['w42', -42], ['open', 1]], PARTITIONS));

    const restored = await restoreChangelog(client, topic, [0, 1, 2]);
    const expected = fold(committed);
    assert.equal(expected.size, 120 - 40 + 1 + 1 + 1);
    assert.deepEqual(asSorted(restored.entries), asSorted(expected));
    assert.equal(restored.records, committed.flat().length, 'every committed record read once, aborted and open ones not');
    assert.ok(restored.bytes > 120 * 4, `bytes ${restored.bytes}`);
    assert.ok(restored.ms >= 0);
    await open.abort();
    await other.close();
  });

  it('restores partitions separately: each holds only its keys, and together they are the whole state', async () => {
    const topic = await newChangelog();
    const id = `restore-test-${randomUUID()}`;
    const producer = await client.transactionalProducer(id);
    await producer.fence();
    const batches: StateChange[][] = [0, 1, 2, 3].map((b) => Array.from({ length: 300 }, (_, i): StateChange => [`k${(i * 7 + b * 13) % 500}`, (i % 50 === 0 && b > 0 ? undefined : b * 1000 + i)]));
    for (const batch of batches) await writeInTransaction(producer, topic, batch, 'commit');
    await producer.close();
    await fence(id);
    const parts = await Promise.all([0, 1, 2].map((p) => restoreChangelog(client, topic, [p])));
    parts.forEach((part, p) => {
      assert.ok(part.entries.length > 0);
      for (const [key] of part.entries) assert.equal(statePartition(key, PARTITIONS), p, `key ${String(key)} restored from partition ${p}`);
    });
    assert.deepEqual(asSorted(parts.flatMap((p) => p.entries)), asSorted(fold(batches)));
    assert.equal(parts.reduce((n, p) => n + p.records, 0), batches.flat().length);
    const two = await restoreChangelog(client, topic, [2, 0]);
    assert.deepEqual(asSorted(two.entries), asSorted([...(parts[0]?.entries ?? []), ...(parts[2]?.entries ?? [])]));
    // One reader kept open across restores (and left open by them) gives the same.
    const reader = await client.rangeReader([topic]);
    try {
      for (const p of [1, 0, 1]) assert.deepEqual(asSorted((await restoreChangelog(client, topic, [p], { reader })).entries), asSorted(parts[p]?.entries ?? []));
    } finally {
      await reader.close();
    }
  });

  it('restores a log the broker has compacted (offsets with gaps, overwritten states and tombstones cleaned) to the same state', async () => {
    const topic = `restore-compacted-${randomUUID().slice(0, 8)}-changelog`;
    const admin = testKafka().admin();
    await admin.connect();
    try {
      // Segments that roll at once and a cleaner that cleans anything: compaction within seconds instead of days.
      const configEntries = Object.entries({ 'cleanup.policy': 'compact', 'segment.ms': '100', 'min.cleanable.dirty.ratio': '0.0001', 'delete.retention.ms': '0', 'min.compaction.lag.ms': '0' });
      await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1, configEntries: configEntries.map(([name, value]) => ({ name, value })) }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
    const id = `restore-test-${randomUUID()}`;
    const producer = await client.transactionalProducer(id);
    await producer.fence();
    const batches: StateChange[][] = [
      ...[0, 1, 2].map((b) => Array.from({ length: 100 }, (_, i): StateChange => [`k${i}`, b * 100 + i])),
      Array.from({ length: 50 }, (_, i): StateChange => [`k${2 * i + 1}`, undefined]),
      Array.from({ length: 50 }, (_, i): StateChange => [`k${i}`, 1000 + i]),
      Array.from({ length: 10 }, (_, i): StateChange => [`k${i}`, 2000 + i]),
    ];
    for (const batch of batches) {
      await writeInTransaction(producer, topic, batch, 'commit', 1);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await producer.close();
    await fence(id);
    const written = batches.flat().length;
    const expected = asSorted(fold(batches));
    const giveUpAt = Date.now() + 75_000;
    for (;;) {
      const restored = await restoreChangelog(client, topic, [0]);
      assert.deepEqual(asSorted(restored.entries), expected);
      if (restored.records < written) break;
      if (Date.now() > giveUpAt) assert.fail(`the broker did not compact ${topic} within 75 s (still ${restored.records} records)`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  });

  it('reads a partition in chunks as exactly as in one go, and an empty or unlisted partition restores nothing', async () => {
    const topic = await newChangelog();
    const id = `restore-test-${randomUUID()}`;
    const producer = await client.transactionalProducer(id);
    await producer.fence();
    const batches: StateChange[][] = [0, 1, 2].map((b) => Array.from({ length: 400 }, (_, i): StateChange => [`c${i % 150}`, b * 400 + i]));
    for (const batch of batches) await writeInTransaction(producer, topic, batch, 'commit');
    await producer.close();
    await fence(id);
    const whole = await restoreChangelog(client, topic, [0, 1, 2]);
    const chunked = await restoreChangelog(client, topic, [0, 1, 2], { chunkRecords: 37 });
    assert.deepEqual(asSorted(chunked.entries), asSorted(whole.entries));
    assert.deepEqual(asSorted(whole.entries), asSorted(fold(batches)));
    assert.equal(chunked.records, 1200);
    const none = await restoreChangelog(client, topic, []);
    assert.deepEqual({ entries: none.entries, records: none.records, bytes: none.bytes }, { entries: [], records: 0, bytes: 0 });
    const empty = await newChangelog();
    assert.equal((await restoreChangelog(client, empty, [0, 1, 2])).records, 0);
  });

  it('says which partitions were ever written; the initial-state marker counts as written and is no entry', async () => {
    const topic = await newChangelog();
    const id = `restore-test-${randomUUID()}`;
    const producer = await client.transactionalProducer(id);
    await producer.fence();
    const key = 'only-key';
    const keyPartition = statePartition(key, PARTITIONS);
    const markerPartition = (keyPartition + 1) % PARTITIONS;
    const tx = await producer.begin();
    await tx.send(topic, [...changelogRecords([[key, 1]], PARTITIONS), initialStateLoadedRecord(markerPartition)]);
    await tx.commit();
    await writeInTransaction(producer, topic, [[key, undefined]], 'commit');
    await producer.close();
    await fence(id);
    const restored = await restoreChangelog(client, topic, [0, 1, 2]);
    assert.deepEqual(restored.entries, [], 'the key was removed, and the marker is not state');
    assert.deepEqual(restored.written, [keyPartition, markerPartition].sort((a, b) => a - b), 'a partition whose only key was removed was still written');
    assert.equal(restored.records, 3);
  });
});
