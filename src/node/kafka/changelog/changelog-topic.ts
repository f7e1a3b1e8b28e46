/**
 * The changelog topic of one stateful operator in scale-out mode (Kafka
 * Streams' changelog): a compacted topic with as many partitions as the
 * input, where partition p holds the state of the keys of input partition
 * p. Each batch writes one record per key it changed:
 *
 *   key   = UTF-8 JSON of the key's value-codec encoding (canonical: object
 *           fields sorted, -0 as 0), unique per key, so compaction keeps the
 *           last state of each key and a tombstone can name its key;
 *   value = UTF-8 JSON `[encodedState]`, or `[encodedState, [base64 blobs]]`
 *           when the state holds typed arrays; null = the key was removed.
 *
 * The value codec keeps what plain JSON would change (Maps, Sets, NaN,
 * undefined inside tuples, bigint, Dates).
 */
import { BlobWriter, decodeValue, encodeValue } from '../../../checkpoint/value-codec.js';
import { formatElement } from '../../../batch/format.js';
import { InvalidArgumentError, ScaleOutError } from '../../../errors.js';
import type { StateChange } from '../../../stream/partitioned-state.js';
import type { KafkaRecord, OutgoingRecord } from '../client.js';
import { canonicalKeyJson, statePartition } from './state-keys.js';

/** Kafka's limit on topic names. */
const MAX_TOPIC_NAME = 249;

/**
 * `<groupId>-<operatorName>-changelog`, with every character Kafka does not
 * allow in topic names (anything but letters, digits, '.', '_' and '-')
 * written as '_' (so the default name `updateStateByKey#0` gives
 * `…-updateStateByKey_0-changelog`).
 */
export function changelogTopicName(groupId: string, operatorName: string): string {
  const topic = `${topicSafe(groupId)}-${topicSafe(operatorName)}-changelog`;
  if (topic.length > MAX_TOPIC_NAME) {
    throw new InvalidArgumentError(`The changelog topic name ${topic} is longer than Kafka's ${MAX_TOPIC_NAME} characters: use a shorter group id or give the operator a shorter .name(...)`);
  }
  return topic;
}

/** changelogTopicName of each operator, refusing two operators whose topics would be the same. */
export function changelogTopicNames(groupId: string, operatorNames: Iterable<string>): Map<string, string> {
  const topics = new Map<string, string>();
  const owners = new Map<string, string>();
  for (const name of operatorNames) {
    const topic = changelogTopicName(groupId, name);
    const other = owners.get(topic);
    if (other !== undefined) {
      throw new InvalidArgumentError(`The operators '${other}' and '${name}' would share the changelog topic ${topic}: give one of them another .name(...)`);
    }
    owners.set(topic, name);
    topics.set(name, topic);
  }
  return topics;
}

function topicSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '_');
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** The changelog records of one batch's changes, each to its key's state partition of `partitions`. */
export function changelogRecords(changes: Iterable<StateChange>, partitions: number): OutgoingRecord[] {
  const records: OutgoingRecord[] = [];
  for (const [key, state] of changes) {
    records.push({ key: changelogKeyText(key), value: state === undefined ? null : changelogValueText(key, state), partition: statePartition(key, partitions) });
  }
  return records;
}

/**
 * The key of a partition's "initial state loaded" record: not JSON, so no
 * state key is ever written as it, and never removed, so compaction keeps it
 * and the partition always counts as written (see restoreChangelog's
 * `written`), even when its initial entries are all removed later.
 */
export const INITIAL_STATE_LOADED_KEY = '#sluice:initial-state-loaded';

/** The record that marks partition `partition`'s initial state as loaded (written with that state). */
export function initialStateLoadedRecord(partition: number): OutgoingRecord {
  return { key: INITIAL_STATE_LOADED_KEY, value: '1', partition };
}

/** The record key of `key` as bytes (unique per key: two keys sluice tells apart never share one). */
export function changelogKey(key: unknown): Uint8Array {
  return utf8.encode(changelogKeyText(key));
}

/** The record key as text (the client writes it as UTF-8). */
function changelogKeyText(key: unknown): string {
  // A string's value-codec encoding is itself: the common case skips the codec.
  if (typeof key === 'string') return JSON.stringify(key);
  const blobs = new BlobWriter();
  encodeValue(key, blobs, 'a state key');
  if (blobs.blobs.length > 0) {
    throw new InvalidArgumentError(`The state key ${formatElement(key)} holds a typed array, which cannot key scale-out state: use strings, numbers, tuples or plain objects as keys.`);
  }
  return canonicalKeyJson(key);
}

function changelogValueText(key: unknown, state: unknown): string {
  // Running counts and sums: a finite number (not -0) encodes as itself.
  if (typeof state === 'number' && Number.isFinite(state) && !Object.is(state, -0)) return `[${state}]`;
  const blobs = new BlobWriter();
  const encoded = encodeValue(state, blobs, `the state of key ${formatElement(key)}`);
  const body = blobs.blobs.length === 0 ? [encoded] : [encoded, blobs.blobs.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64'))];
  return JSON.stringify(body);
}

const NO_BLOBS: readonly string[] = [];

/** Where a record is, for error messages: text, or a function making it (only when there is an error: restores decode a million records). */
export type Where = string | (() => string);

/** The key of a changelog record's key bytes. */
export function decodeChangelogKey(bytes: Uint8Array, where: Where): unknown {
  return decodeChangelogKeyText(utf8Text(bytes, where, 'key'), where);
}

/** The key of a changelog record's key, already decoded from UTF-8. */
export function decodeChangelogKeyText(text: string, where: Where): unknown {
  const encoded = parseText(text, where, 'key');
  try {
    return decodeValue(encoded, []);
  } catch (error) {
    throw changelogCorrupt(where, (error as Error).message, error);
  }
}

/** The state of a changelog record's value bytes (a non-null value). */
export function decodeChangelogValue(bytes: Uint8Array, where: Where): unknown {
  const body = parse(bytes, where, 'value');
  if (!Array.isArray(body) || body.length < 1 || body.length > 2) throw changelogCorrupt(where, 'its value is not [state] or [state, blobs]');
  const blobs: unknown = body.length === 1 ? NO_BLOBS : body[1];
  if (!Array.isArray(blobs) || !blobs.every((b): b is string => typeof b === 'string')) throw changelogCorrupt(where, 'its blobs are not a list of base64 strings');
  try {
    return decodeValue(body[0], blobs.map((b) => new Uint8Array(Buffer.from(b, 'base64'))));
  } catch (error) {
    throw changelogCorrupt(where, (error as Error).message, error);
  }
}

/** `[key, state]` of a changelog record; state undefined for a tombstone. */
export function decodeChangelogRecord(record: KafkaRecord): StateChange {
  const where = `${record.topic}[${record.partition}]@${record.offset}`;
  if (record.key === null) throw changelogCorrupt(where, 'it has no key');
  return [decodeChangelogKey(record.key, where), record.value === null ? undefined : decodeChangelogValue(record.value, where)];
}

function parse(bytes: Uint8Array, where: Where, what: string): unknown {
  return parseText(utf8Text(bytes, where, what), where, what);
}

function utf8Text(bytes: Uint8Array, where: Where, what: string): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch (error) {
    throw changelogCorrupt(where, `its ${what} is not UTF-8`, error);
  }
}

function parseText(text: string, where: Where, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw changelogCorrupt(where, `its ${what} is not JSON`, error);
  }
}

/** ERR_SLUICE_SCALE_OUT_CHANGELOG_CORRUPT for the record at `where`. */
export function changelogCorrupt(where: Where, problem: string, cause?: unknown): ScaleOutError {
  return new ScaleOutError(
    'ERR_SLUICE_SCALE_OUT_CHANGELOG_CORRUPT',
    `The changelog record ${typeof where === 'string' ? where : where()} cannot be read as sluice state (${problem}). Only sluice may write to changelog topics; ` +
      'delete the topic to start that operator\'s state afresh (its state is then lost).',
    cause === undefined ? {} : { cause },
  );
}
