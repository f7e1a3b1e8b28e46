/**
 * The checkpoint payload: data, never closures. A restart rebuilds the graph
 * from code (`create()` in getOrCreate) and pours this data into it, so
 * changed operator code still recovers; operators are matched by name.
 *
 * Layout (little-endian), a 16-byte header then the body:
 *
 *   offset 0        4         8             12        16
 *          ┌────────┬─────────┬─────────────┬─────────┬──────────────────────────────────────────────┐
 *          │ "SLCK" │ version │ body length │ CRC-32  │ body:                                        │
 *          │ magic  │ u32     │ u32         │ of body │  u32 JSON length │ JSON (UTF-8)              │
 *          │        │         │             │         │  u32 blob count  │ (u32 length, bytes) × n   │
 *          └────────┴─────────┴─────────────┴─────────┴──────────────────────────────────────────────┘
 *
 * The JSON is a CheckpointDocument whose state and positions are encoded by
 * value-codec.ts; blobs hold kernel-table values (Float64Array) by index.
 * A version newer than FORMAT_VERSION is refused as incompatible (never
 * guessed at); a bad magic, length or checksum is corrupt.
 */
import { CheckpointError } from '../errors.js';
import { crc32 } from './crc32.js';
import { BlobWriter, corrupt, decodeValue, encodeValue } from './value-codec.js';

export const CHECKPOINT_FORMAT_VERSION = 1;
const MAGIC = 0x4b434c53; // "SLCK" read as a little-endian u32
const HEADER_BYTES = 16;

export interface OperatorCheckpoint {
  /** The operator's kind (e.g. 'updateStateByKey'); the same name with another kind is incompatible. */
  readonly kind: string;
  readonly state: unknown;
}

export interface CheckpointDocument {
  readonly batchIntervalMs: number;
  /** The original start's zero time: batch times (and window alignment) continue from it. */
  readonly zeroTime: number;
  /** The last batch whose outputs all succeeded; state below is as of this batch. */
  readonly checkpointTime: number;
  /** Batches generated after checkpointTime but not completed when this was written (recovery runs them again). */
  readonly pendingTimes: readonly number[];
  /** Source positions after batch checkpointTime, by input stream name. */
  readonly sources: Readonly<Record<string, unknown>>;
  /** Operator state by operator name. */
  readonly operators: Readonly<Record<string, OperatorCheckpoint>>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeCheckpoint(doc: CheckpointDocument): Uint8Array {
  const blobs = new BlobWriter();
  const sources: Record<string, unknown> = {};
  for (const [name, position] of Object.entries(doc.sources)) sources[name] = encodeWithin(`the position of source '${name}'`, (where) => encodeValue(position, blobs, where));
  const operators: Record<string, unknown> = {};
  for (const [name, op] of Object.entries(doc.operators)) {
    operators[name] = { kind: op.kind, state: encodeWithin(`the state of operator '${name}'`, (where) => encodeValue(op.state, blobs, where)) };
  }
  const json = encoder.encode(
    encodeWithin('the checkpoint', () =>
      JSON.stringify({
        batchIntervalMs: doc.batchIntervalMs,
        zeroTime: doc.zeroTime,
        checkpointTime: doc.checkpointTime,
        pendingTimes: doc.pendingTimes,
        sources,
        operators,
      }),
    ),
  );
  let bodyLength = 4 + json.length + 4;
  for (const b of blobs.blobs) bodyLength += 4 + b.length;
  const out = new Uint8Array(HEADER_BYTES + bodyLength);
  const view = new DataView(out.buffer);
  let p = HEADER_BYTES;
  view.setUint32(p, json.length, true);
  out.set(json, p + 4);
  p += 4 + json.length;
  view.setUint32(p, blobs.blobs.length, true);
  p += 4;
  for (const b of blobs.blobs) {
    view.setUint32(p, b.length, true);
    out.set(b, p + 4);
    p += 4 + b.length;
  }
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, CHECKPOINT_FORMAT_VERSION, true);
  view.setUint32(8, bodyLength, true);
  view.setUint32(12, crc32(out.subarray(HEADER_BYTES)), true);
  return out;
}

/**
 * Runs one encoding step. The engine's limits surface as RangeError: a value
 * nested too deeply, or one that refers to itself, overflows the stack, and
 * the JSON of a state beyond about 512 MB exceeds V8's longest string. Either
 * would otherwise fail the batch with a message that names neither the
 * operator nor a way out.
 */
function encodeWithin<T>(where: string, encode: (where: string) => T): T {
  try {
    return encode(where);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new CheckpointError(
      'ERR_SLUICE_CHECKPOINT_UNSERIALIZABLE',
      `Cannot write ${where} to a checkpoint (${error.message}): checkpoints hold state as data, so it must not refer to itself, ` +
        'nest thousands of levels deep, or exceed about 512 MB as JSON. Keep state values flat, expire keys you no longer need ' +
        '(mapWithState with a timeout, or return undefined from updateStateByKey), or scale out over a Kafka consumer group so each process holds part of the state.',
      { cause: error },
    );
  }
}

/** The document in `bytes`; CheckpointError CORRUPT or INCOMPATIBLE when it cannot be used. */
export function decodeCheckpoint(bytes: Uint8Array, from = 'the checkpoint store'): CheckpointDocument {
  if (bytes.length < HEADER_BYTES) throw corrupt(`${bytes.length} bytes from ${from}, shorter than the ${HEADER_BYTES}-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw corrupt(`the data from ${from} is not a sluice checkpoint: wrong magic number`);
  const version = view.getUint32(4, true);
  if (version > CHECKPOINT_FORMAT_VERSION || version === 0) {
    throw new CheckpointError(
      'ERR_SLUICE_CHECKPOINT_INCOMPATIBLE',
      `The checkpoint in ${from} has format version ${version}, but this sluice reads versions 1 to ${CHECKPOINT_FORMAT_VERSION}: ` +
        'it was written by a newer sluice. Run that version, or start from an empty checkpoint store (state is then lost).',
    );
  }
  const bodyLength = view.getUint32(8, true);
  if (bodyLength !== bytes.length - HEADER_BYTES) throw corrupt(`header says ${bodyLength} body bytes, ${from} holds ${bytes.length - HEADER_BYTES}`);
  const body = bytes.subarray(HEADER_BYTES);
  if (crc32(body) !== view.getUint32(12, true)) throw corrupt(`checksum mismatch in the data from ${from}`);
  try {
    return parseBody(body);
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    throw corrupt(`${(error as Error).message}`);
  }
}

function parseBody(body: Uint8Array): CheckpointDocument {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const jsonLength = view.getUint32(0, true);
  const json: unknown = JSON.parse(decoder.decode(body.subarray(4, 4 + jsonLength)));
  let p = 4 + jsonLength;
  const count = view.getUint32(p, true);
  p += 4;
  const blobs: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const length = view.getUint32(p, true);
    if (p + 4 + length > body.length) throw corrupt(`blob ${i} runs past the end of the data`);
    blobs.push(body.subarray(p + 4, p + 4 + length));
    p += 4 + length;
  }
  if (p !== body.length) throw corrupt(`${body.length - p} unexpected bytes after the last blob`);
  return readDocument(json, blobs);
}

function readDocument(json: unknown, blobs: readonly Uint8Array[]): CheckpointDocument {
  const doc = record(json, 'the document');
  const pendingTimes = doc.pendingTimes;
  if (!Array.isArray(pendingTimes) || !pendingTimes.every((t) => typeof t === 'number')) throw corrupt('pendingTimes is not a list of times');
  const sources: Record<string, unknown> = {};
  for (const [name, position] of Object.entries(record(doc.sources, 'sources'))) sources[name] = decodeValue(position, blobs);
  const operators: Record<string, OperatorCheckpoint> = {};
  for (const [name, raw] of Object.entries(record(doc.operators, 'operators'))) {
    const op = record(raw, `operator '${name}'`);
    if (typeof op.kind !== 'string') throw corrupt(`operator '${name}' has no kind`);
    operators[name] = { kind: op.kind, state: decodeValue(op.state, blobs) };
  }
  const batchIntervalMs = integer(doc.batchIntervalMs, 'batchIntervalMs');
  const zeroTime = integer(doc.zeroTime, 'zeroTime');
  const checkpointTime = integer(doc.checkpointTime, 'checkpointTime');
  checkBatchTimes(batchIntervalMs, zeroTime, checkpointTime, pendingTimes as number[]);
  return { batchIntervalMs, zeroTime, checkpointTime, pendingTimes: pendingTimes as number[], sources, operators };
}

/** Recovery generates these times again, so they must be batch times after the checkpoint, in order. */
function checkBatchTimes(interval: number, zeroTime: number, checkpointTime: number, pending: readonly number[]): void {
  if (interval <= 0) throw corrupt(`the batch interval is ${interval} ms`);
  const onGrid = (t: number) => Number.isSafeInteger(t) && (t - zeroTime) % interval === 0;
  if (!onGrid(checkpointTime) || checkpointTime < zeroTime) throw corrupt(`checkpointTime ${checkpointTime} is not a batch time of zero time ${zeroTime} and interval ${interval} ms`);
  let previous = checkpointTime;
  for (const t of pending) {
    if (!onGrid(t) || t <= previous) throw corrupt(`pending batch time ${t} is not a batch time after ${previous}`);
    previous = t;
  }
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw corrupt(`${what} is not an object`);
  return value as Record<string, unknown>;
}

function integer(value: unknown, what: string): number {
  if (!Number.isSafeInteger(value)) throw corrupt(`${what} is not an integer`);
  return value as number;
}
