/**
 * State and positions as checkpoint data: JSON, plus binary blobs for large
 * numeric arrays. Plain JSON would silently change values (undefined in a
 * tuple becomes null, NaN becomes null, a Map becomes {}), so every value that
 * JSON cannot hold as itself is written as a one-key tagged object:
 *
 *   undefined → {"$u":0}            NaN, ±Infinity, -0 → {"$n":"NaN"|"Infinity"|"-Infinity"|"-0"}
 *   bigint    → {"$big":"123"}      Date → {"$date":ms}
 *   Map       → {"$map":[[k,v],…]}  Set  → {"$set":[…]}
 *   plain object → {"$o":{…}}       Float64Array / Uint8Array → {"$f64":i} / {"$u8":i} (blob i)
 *
 * Arrays, strings, booleans, null and finite numbers are themselves. Anything
 * else (functions, symbols, class instances) cannot be restored by value and
 * is refused with ERR_SLUICE_CHECKPOINT_UNSERIALIZABLE, naming where it was.
 */
import { CheckpointError } from '../errors.js';

export type Encoded = null | boolean | number | string | Encoded[] | { [tag: string]: Encoded };

/** Collects the binary blobs of one checkpoint while values are encoded. */
export class BlobWriter {
  readonly blobs: Uint8Array[] = [];

  add(bytes: Uint8Array): number {
    this.blobs.push(bytes);
    return this.blobs.length - 1;
  }
}

export function encodeValue(value: unknown, blobs: BlobWriter, where: string): Encoded {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'undefined':
      return { $u: 0 };
    case 'number':
      if (Number.isNaN(value) || !Number.isFinite(value) || Object.is(value, -0)) return { $n: String(Object.is(value, -0) ? '-0' : value) };
      return value;
    case 'bigint':
      return { $big: value.toString() };
    case 'object':
      return encodeObject(value, blobs, where);
    default:
      throw unserializable(`a ${typeof value}`, where);
  }
}

function encodeObject(value: object | null, blobs: BlobWriter, where: string): Encoded {
  if (value === null) return null;
  if (Array.isArray(value)) return value.map((item, i) => encodeValue(item, blobs, `${where}[${i}]`));
  if (value instanceof Float64Array) return { $f64: blobs.add(float64Bytes(value)) };
  if (value instanceof Uint8Array) return { $u8: blobs.add(value.slice()) };
  if (value instanceof Map) {
    return { $map: [...value].map(([k, v], i) => [encodeValue(k, blobs, `${where} key ${i}`), encodeValue(v, blobs, `${where}.get(${String(k)})`)]) };
  }
  if (value instanceof Set) return { $set: [...value].map((item, i) => encodeValue(item, blobs, `${where} element ${i}`)) };
  if (value instanceof Date) return { $date: value.getTime() };
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw unserializable(`an instance of ${(value as { constructor?: { name?: string } }).constructor?.name ?? 'a class'}`, where);
  }
  const fields: { [key: string]: Encoded } = {};
  for (const [key, field] of Object.entries(value)) fields[key] = encodeValue(field, blobs, `${where}.${key}`);
  return { $o: fields };
}

export function decodeValue(encoded: unknown, blobs: readonly Uint8Array[]): unknown {
  if (encoded === null || typeof encoded === 'string' || typeof encoded === 'boolean' || typeof encoded === 'number') return encoded;
  if (Array.isArray(encoded)) return encoded.map((item) => decodeValue(item, blobs));
  if (typeof encoded !== 'object') throw corrupt(`unexpected ${typeof encoded} in the state data`);
  const keys = Object.keys(encoded);
  const tag = keys[0];
  if (keys.length !== 1 || tag === undefined) throw corrupt('an object in the state data is not a tagged value');
  const body = (encoded as Record<string, unknown>)[tag];
  switch (tag) {
    case '$u':
      return undefined;
    case '$n':
      return body === '-0' ? -0 : Number(checkString(body, tag));
    case '$big':
      return BigInt(checkString(body, tag));
    case '$date':
      return new Date(checkNumber(body, tag));
    case '$map':
      return new Map(checkArray(body, tag).map((entry) => {
        const [k, v] = checkArray(entry, tag);
        return [decodeValue(k, blobs), decodeValue(v, blobs)] as const;
      }));
    case '$set':
      return new Set(checkArray(body, tag).map((item) => decodeValue(item, blobs)));
    case '$f64':
      return bytesFloat64(blob(blobs, body, tag));
    case '$u8':
      return blob(blobs, body, tag).slice();
    case '$o': {
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw corrupt('a "$o" value is not an object');
      const out: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(body)) out[key] = decodeValue(field, blobs);
      return out;
    }
    default:
      throw corrupt(`unknown value tag ${JSON.stringify(tag)}`);
  }
}

/** Little-endian bytes of a Float64Array, whatever the platform's byte order. */
export function float64Bytes(values: Float64Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i] as number, true);
  return bytes;
}

function bytesFloat64(bytes: Uint8Array): Float64Array {
  if (bytes.length % 8 !== 0) throw corrupt(`a float64 blob of ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(bytes.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

function blob(blobs: readonly Uint8Array[], index: unknown, tag: string): Uint8Array {
  const found = Number.isInteger(index) ? blobs[index as number] : undefined;
  if (found === undefined) throw corrupt(`"${tag}" refers to blob ${String(index)}, which does not exist`);
  return found;
}

function checkString(body: unknown, tag: string): string {
  if (typeof body !== 'string') throw corrupt(`"${tag}" holds a ${typeof body}, not a string`);
  return body;
}

function checkNumber(body: unknown, tag: string): number {
  if (typeof body !== 'number') throw corrupt(`"${tag}" holds a ${typeof body}, not a number`);
  return body;
}

function checkArray(body: unknown, tag: string): unknown[] {
  if (!Array.isArray(body)) throw corrupt(`"${tag}" holds a ${typeof body}, not an array`);
  return body;
}

function unserializable(what: string, where: string): CheckpointError {
  return new CheckpointError(
    'ERR_SLUICE_CHECKPOINT_UNSERIALIZABLE',
    `Cannot write ${where} to a checkpoint: it holds ${what}. Checkpoints store data, not code: keep state, window elements and source positions to ` +
      'strings, numbers, booleans, null/undefined, bigint, arrays, plain objects, Map, Set, Date and typed arrays.',
  );
}

export function corrupt(what: string): CheckpointError {
  return new CheckpointError('ERR_SLUICE_CHECKPOINT_CORRUPT', `The checkpoint is corrupt (${what}). Restore a good copy or start from an empty checkpoint store.`);
}
