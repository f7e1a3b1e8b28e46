import assert from 'node:assert/strict';
import { test } from 'node:test';
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
