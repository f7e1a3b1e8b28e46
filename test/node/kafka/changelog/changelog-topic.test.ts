import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock, type Pair, StreamingContext } from '../../../../src/internals.js';
import { TestInputDStream } from '../../../harness/test-input-dstream.js';
import type { KafkaRecord, OutgoingRecord } from '../../../../src/node/kafka/client.js';
import {
  changelogKey, changelogRecords, changelogTopicName, changelogTopicNames, decodeChangelogRecord,
} from '../../../../src/node/kafka/changelog/changelog-topic.js';
import { statePartition } from '../../../../src/node/kafka/changelog/state-keys.js';
import type { StateChange } from '../../../../src/stream/partitioned-state.js';

/** The record a broker would hand back for `record` written to `partition`. */
function asRead(record: OutgoingRecord, offset: number): KafkaRecord {
  const bytes = (v: Uint8Array | string | null | undefined): Uint8Array | null => (v === null || v === undefined ? null : typeof v === 'string' ? new TextEncoder().encode(v) : v);
  return { topic: 't-changelog', partition: record.partition ?? -1, offset, timestamp: 0, key: bytes(record.key), value: bytes(record.value), headers: {} };
}

test('changelogTopicName: <group>-<operator>-changelog, characters Kafka refuses written as _', () => {
  assert.equal(changelogTopicName('wordcount', 'counts'), 'wordcount-counts-changelog');
  assert.equal(changelogTopicName('my group', 'updateStateByKey#0'), 'my_group-updateStateByKey_0-changelog');
  assert.equal(changelogTopicName('g.1_x', 'a-b'), 'g.1_x-a-b-changelog');
  assert.throws(() => changelogTopicName('g', 'x'.repeat(240)), { code: 'ERR_SLUICE_INVALID_ARGUMENT', message: /longer than Kafka's 249 characters/ });
  assert.deepEqual([...changelogTopicNames('g', ['a', 'mapWithState#0'])], [['a', 'g-a-changelog'], ['mapWithState#0', 'g-mapWithState_0-changelog']]);
  assert.throws(() => changelogTopicNames('g', ['a#1', 'a_1']), { message: /'a#1' and 'a_1' would share the changelog topic g-a_1-changelog/ });
});

test('changelog records round-trip keys and states the value codec keeps (Maps, Sets, NaN, undefined, -0, bigint, Dates, typed arrays)', () => {
  const changes: StateChange[] = [
    ['word', 3],
    [42, { total: 1.5, seen: new Set(['a', 'b']) }],
    ['42', 'not the number'],
    [['12', 'city'], new Map<unknown, unknown>([['k', [1, undefined, NaN]], [2, -0]])],
    [{ b: 1, a: [true, null] }, [10n ** 30n, new Date(1_700_000_000_000), Number.NEGATIVE_INFINITY]],
    ['blob', { samples: new Float64Array([1.5, Number.NaN, -0]), raw: new Uint8Array([0, 255, 7]) }],
    ['gone', undefined],
  ];
  const records = changelogRecords(changes, 6);
  assert.equal(records.length, changes.length);
  records.forEach((record, i) => {
    const [key] = changes[i] as StateChange;
    assert.equal(record.partition, statePartition(key, 6));
    assert.deepEqual(decodeChangelogRecord(asRead(record, i)), changes[i]);
  });
  assert.equal(records.at(-1)?.value, null, 'a removed key is a tombstone');
  const decodedBlob = decodeChangelogRecord(asRead(records[5] as OutgoingRecord, 5))[1] as { samples: Float64Array };
  assert.ok(Object.is(decodedBlob.samples[2], -0));
});

test('changelog keys are unique per key: 42 and "42" are two records, equal tuples or objects one', () => {
  const text = (key: unknown): string => new TextDecoder().decode(changelogKey(key));
  assert.notEqual(text(42), text('42'));
  assert.notEqual(text(true), text('true'));
  assert.equal(text({ a: 1, b: [-0] }), text({ b: [0], a: 1 }));
  assert.equal(text('word'), '"word"');
  assert.throws(() => changelogKey(new Uint8Array([1])), { code: 'ERR_SLUICE_INVALID_ARGUMENT', message: /typed array/ });
});

test('a state the value codec cannot hold (a class instance, a function) is refused naming the key', () => {
  class Point {
    x = 1;
  }
  assert.throws(() => changelogRecords([['p', new Point()]], 3), { code: 'ERR_SLUICE_CHECKPOINT_UNSERIALIZABLE', message: /state of key p/ });
});

test('records sluice did not write are refused with ERR_SLUICE_SCALE_OUT_CHANGELOG_CORRUPT, naming topic, partition and offset', () => {
  const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
  const record = (key: Uint8Array | null, value: Uint8Array | null): KafkaRecord => ({ topic: 'c', partition: 2, offset: 9, timestamp: 0, key, value, headers: {} });
  for (const [key, value] of [
    [null, utf8('[1]')],
    [utf8('plain'), utf8('[1]')],
    [utf8('"k"'), utf8('{"x":1}')],
    [utf8('"k"'), utf8('[{"$nope":1}]')],
    [utf8('"k"'), new Uint8Array([0x5b, 0xff, 0x5d])],
    [utf8('{"$map":3}'), utf8('[1]')],
  ] as const) {
    assert.throws(() => decodeChangelogRecord(record(key, value)), { code: 'ERR_SLUICE_SCALE_OUT_CHANGELOG_CORRUPT', message: /changelog record c\[2\]@9/ });
  }
});

test('state survives the changelog encoding: tuple keys with Map states, dropped and restored from decoded records, give the same results', async () => {
  const input: Pair<[string, string], number>[][] = [
    [[['12', 'a'], 1], [['12', 'b'], Number.NaN], [['14', 'a'], 2]],
    [[['12', 'a'], 3], [['21', 'x'], -0]],
    [[['14', 'a'], 4], [['12', 'b'], 5]],
    [[['12', 'a'], 6], [['21', 'x'], 7], [['99', 'z'], 8]],
  ];
  // The state is a Map of value → times seen: NaN and -0 keys inside it must come back as themselves.
  const update = (values: number[], state: Map<number, number> | undefined): Map<number, number> => {
    const next = new Map(state);
    for (const v of values) next.set(v, (next.get(v) ?? 0) + 1);
    return next;
  };
  const run = async (move: boolean): Promise<unknown[][]> => {
    const clock = new ManualClock();
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock });
    const state = new TestInputDStream<Pair<[string, string], number>>(ssc, input).updateStateByKey(update);
    state.enablePartitionedState();
    const log: KafkaRecord[] = [];
    const outputs: unknown[][] = [];
    state.foreachRDD((batch, time) => {
      outputs.push(batch.collect().map(([k, s]) => [k, [...s]]));
      for (const record of changelogRecords(state.changesAt(time), 3)) log.push(asRead(record, log.length));
      if (move && outputs.length === 2) {
        // Lose and regain partition 1: drop its keys, restore them from its decoded records (last per key wins).
        state.dropKeys((key) => statePartition(key, 3) === 1);
        const restored = new Map<string, StateChange>();
        for (const record of log.filter((r) => r.partition === 1)) restored.set(new TextDecoder().decode(record.key ?? undefined), decodeChangelogRecord(record));
        state.restoreEntries([...restored.values()].filter(([, s]) => s !== undefined));
      }
    });
    ssc.start();
    await clock.advance(input.length * 1000);
    await ssc.stop();
    return outputs.map((batch) => [...batch].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)));
  };
  const straight = await run(false);
  assert.deepEqual(await run(true), straight);
  assert.ok([['12', 'a'], ['12', 'b'], ['14', 'a'], ['21', 'x'], ['99', 'z']].some((k) => statePartition(k, 3) === 1), 'some key lives in partition 1');
});
