/**
 * Building and reading RecordBatches (the Arrow-style byte layout described in
 * api.ts): every record is UTF-8 bytes followed by one '\n', and `ends[i]` is
 * the offset of record i's '\n'.
 *
 * Padding guarantee: the buffer behind `batch.data` always extends at least
 * `RECORD_BATCH_PADDING` (16) zero bytes past `data.length`, and the last byte
 * of `data` (when non-empty) is '\n'. The SIMD kernels rely on both: a
 * whitespace byte after the last record, and 16 readable bytes past it so a
 * 128-bit load never leaves the buffer. Code that copies `data` elsewhere
 * (e.g. into kernel memory) must provide the same padding itself.
 *
 * Newlines inside a record: a record never contains '\n', so an appended
 * record holding '\n' is split into lines. The text is read as lines, where a
 * final '\n' terminates the last line instead of starting an empty one:
 * "a\nb" → ["a", "b"], "a\n" → ["a"], "a\n\nb" → ["a", "", "b"], while ""
 * and "\n" each give one empty record.
 *
 * Over-long records: a record (after splitting) longer than `maxRecordBytes`
 * UTF-8 bytes is dropped and counted in `droppedTooLong`, so one hostile or
 * corrupt line cannot blow up a batch. The default is 1 MiB.
 *
 * Arenas: a batch's arena is taken when its first record arrives (an idle
 * builder holds none), at the previous batch's size with an eighth more, so
 * a steady stream is not copied while its arena grows. With `regions`
 * (kernels that lend memory, such as the worker pool), the arena is an
 * InputRegion of those kernels, so a batch is written once, where the
 * kernels read it; the built batch carries its region for the engine to
 * release.
 */

import type { InputRegion, InputRegionSource, RecordBatch } from './api.js';
import { IllegalStateError, InvalidArgumentError, SluiceError } from '../errors.js';
import { collectNewlines } from './newlines.js';

export const RECORD_BATCH_PADDING = 16;
export const DEFAULT_MAX_RECORD_BYTES = 1 << 20;

const NEWLINE = 10;
const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF as data, as the kernels (which see bytes) do.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** Limits for the bytes a receiver stream collects per batch (`ssc.receiverStream(receiver, options)`). */
export interface RecordBatchBuilderOptions {
  /** Records longer than this (UTF-8 bytes, without the '\n') are dropped and counted. Default 1 MiB. */
  readonly maxRecordBytes?: number;
  /** Arena size in bytes for the first batch (later ones start at the last one's size); the arena doubles when full. Default 64 KiB. */
  readonly initialBytes?: number;
  /** Capacity of the end-offset array for the first batch (later ones start at the last one's count); doubles when full. Default 1024. */
  readonly initialRecords?: number;
  /** Kernels lending memory for the bytes (see the module comment); default: plain JS memory. */
  readonly regions?: InputRegionSource;
}

/** Throws InvalidArgumentError unless `options` are usable by a RecordBatchBuilder (checked before a receiver stream joins its graph). */
export function checkRecordBatchBuilderOptions(options: RecordBatchBuilderOptions): void {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError(`record batch options must be an object such as { maxRecordBytes: 1 << 20 }, got ${String(options)}`);
  const { maxRecordBytes, initialBytes, initialRecords } = options;
  if (maxRecordBytes !== undefined && (!Number.isInteger(maxRecordBytes) || maxRecordBytes < 0 || maxRecordBytes > 0x3fffffff)) {
    throw new InvalidArgumentError(`maxRecordBytes must be an integer in [0, 2^30), got ${String(maxRecordBytes)}`);
  }
  for (const [name, value] of [['initialBytes', initialBytes], ['initialRecords', initialRecords]] as const) {
    // NaN or a fraction would size an arena that never grows.
    if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > 0x7fffffff)) throw new InvalidArgumentError(`${name} must be a positive integer, got ${String(value)}`);
  }
}

/** A lent arena for a batch like the last one (of `lastBytes`): an eighth more, and room for the reservations of a last line. */
function steadyArenaBytes(lastBytes: number): number {
  return Math.min(lastBytes + (lastBytes >>> 3) + 4096, 0x7fffffff);
}

/** Whether `kernels` lends memory for batch bytes (an InputRegionSource). */
export function lendsInputRegions(kernels: unknown): kernels is InputRegionSource {
  return typeof kernels === 'object' && kernels !== null && typeof (kernels as Partial<InputRegionSource>).allocInput === 'function';
}

export class RecordBatchBuilder {
  readonly maxRecordBytes: number;
  private readonly initialBytes: number;
  private readonly initialRecords: number;
  private readonly regions: InputRegionSource | undefined;
  /** With `regions`: the arena size to take for the next batch. */
  private nextArenaBytes: number;
  private disposed = false;
  private arena: Uint8Array;
  /** The lent region behind `arena` (with `regions`). */
  private region: InputRegion | undefined;
  private endOffsets: Int32Array;
  private length = 0;
  private records = 0;
  private dropped = 0;

  constructor(options: RecordBatchBuilderOptions = {}) {
    checkRecordBatchBuilderOptions(options);
    this.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    this.initialBytes = Math.max(options.initialBytes ?? 1 << 16, 64);
    this.initialRecords = Math.max(options.initialRecords ?? 1024, 16);
    this.regions = options.regions;
    this.nextArenaBytes = this.initialBytes;
    this.arena = EMPTY;
    this.endOffsets = new Int32Array(this.initialRecords);
  }

  /** Records appended since the last build(). */
  get count(): number {
    return this.records;
  }

  /** Bytes appended since the last build(), newlines included. */
  get byteLength(): number {
    return this.length;
  }

  /** Records dropped for exceeding `maxRecordBytes` since the last build(). */
  get droppedTooLong(): number {
    return this.dropped;
  }

  /** Appends one record (split into several when it holds '\n', see the module comment). */
  append(record: string | Uint8Array): void {
    if (typeof record === 'string') this.appendString(record);
    else this.appendBytes(record);
  }

  appendAll(records: Iterable<string | Uint8Array>): void {
    for (const record of records) this.append(record);
  }

  /**
   * Hands out the batch and starts a fresh, empty builder state (the returned
   * batch keeps the old arena; nothing is copied).
   */
  build(): RecordBatch {
    // Nothing arrived (or only over-long records): an empty batch holds no lent memory.
    if (this.length === 0 && !this.disposed) {
      this.region?.release();
      this.region = undefined;
      this.arena = EMPTY;
      this.dropped = 0;
      return emptyRecordBatch();
    }
    this.reserve(RECORD_BATCH_PADDING);
    // Earlier encodeInto reservations may have left bytes past the end.
    this.arena.fill(0, this.length, this.length + RECORD_BATCH_PADDING);
    const data = this.arena.subarray(0, this.length);
    const ends = this.endOffsets.subarray(0, this.records);
    const batch: RecordBatch = this.region === undefined ? { data, ends, count: this.records } : { data, ends, count: this.records, region: this.region };
    this.region = undefined;
    // The next arena is taken on first use at the size this batch needed, lent or not: growing
    // one from 64 KiB by doubling copied each batch about twice over (a quarter of a 1 s
    // socket batch's time on the main thread).
    this.nextArenaBytes = Math.max(this.initialBytes, steadyArenaBytes(this.length));
    this.arena = EMPTY;
    this.endOffsets = new Int32Array(Math.max(this.initialRecords, Math.min(this.records + (this.records >>> 3), 0x7fffffff)));
    this.length = 0;
    this.records = 0;
    this.dropped = 0;
    return batch;
  }

  private appendString(text: string): void {
    if (text.indexOf('\n') === -1) {
      this.appendStringLine(text);
      return;
    }
    const lines = text.split('\n');
    const last = text.endsWith('\n') ? lines.length - 1 : lines.length;
    for (let i = 0; i < last; i++) this.appendStringLine(lines[i] as string);
  }

  private appendStringLine(line: string): void {
    // UTF-8 is never shorter than the UTF-16 length, so this drop needs no encoding.
    if (line.length > this.maxRecordBytes) {
      this.dropped++;
      return;
    }
    this.reserve(line.length * 3 + 1 + RECORD_BATCH_PADDING);
    const start = this.length;
    const { written } = encoder.encodeInto(line, this.arena.subarray(start));
    if (written > this.maxRecordBytes) {
      this.dropped++;
      return;
    }
    this.pushEnd(start + written);
  }

  private appendBytes(bytes: Uint8Array): void {
    // No line can be over-long: copy the whole run at once and only find its '\n's.
    if (bytes.length <= this.maxRecordBytes) {
      this.appendRun(bytes);
      return;
    }
    let from = 0;
    const total = bytes.length;
    for (;;) {
      const nl = bytes.indexOf(NEWLINE, from);
      const end = nl === -1 ? total : nl;
      this.appendByteLine(bytes, from, end);
      if (nl === -1 || nl + 1 === total) return;
      from = nl + 1;
    }
  }

  /**
   * The lines of `bytes` (none longer than maxRecordBytes), with one copy:
   * a run of complete lines from a receiver's line splitter (Receiver.storeLines)
   * costs one `set` plus a '\n' search instead of a copy per line.
   */
  private appendRun(bytes: Uint8Array): void {
    const total = bytes.length;
    this.reserve(total + 1 + RECORD_BATCH_PADDING);
    const base = this.length;
    this.arena.set(bytes, base);
    const { offsets, count } = collectNewlines(bytes, base, this.endOffsets, this.records);
    this.endOffsets = offsets;
    this.records = count;
    if (total > 0 && bytes[total - 1] === NEWLINE) {
      this.length = base + total;
      return;
    }
    // The last line had no '\n' (or the input was empty): pushEnd writes it.
    this.pushEnd(base + total);
  }

  private appendByteLine(bytes: Uint8Array, from: number, end: number): void {
    const len = end - from;
    if (len > this.maxRecordBytes) {
      this.dropped++;
      return;
    }
    this.reserve(len + 1 + RECORD_BATCH_PADDING);
    this.arena.set(from === 0 && end === bytes.length ? bytes : bytes.subarray(from, end), this.length);
    this.pushEnd(this.length + len);
  }

  /** Writes the '\n' at `newlineAt` and records it as the end of a new record. */
  private pushEnd(newlineAt: number): void {
    this.arena[newlineAt] = NEWLINE;
    if (this.records === this.endOffsets.length) {
      const grown = new Int32Array(this.endOffsets.length * 2);
      grown.set(this.endOffsets);
      this.endOffsets = grown;
    }
    this.endOffsets[this.records++] = newlineAt;
    this.length = newlineAt + 1;
  }

  /**
   * Gives back the lent arena (nothing was built from it yet). The builder
   * must not be used afterwards.
   */
  dispose(): void {
    this.region?.release();
    this.region = undefined;
    this.arena = EMPTY;
    this.length = 0;
    this.records = 0;
    this.disposed = true;
  }

  /**
   * A lent arena, or plain memory when the kernels cannot lend it (their
   * memory is at its maximum, or they were closed): the batch is then
   * copied where they read it, as without lending, instead of a receiver's
   * store failing and its data being lost.
   */
  private newArena(size: number): Uint8Array {
    if (this.regions === undefined) return new Uint8Array(size);
    try {
      this.region = this.regions.allocInput(size);
    } catch (error) {
      if (!(error instanceof SluiceError)) throw error;
      this.region = undefined;
      return new Uint8Array(size);
    }
    return this.region.bytes;
  }

  /** Makes room for `extra` more bytes after the current end. */
  private reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.arena.length) return;
    if (this.disposed) throw new IllegalStateError('This RecordBatchBuilder was disposed; create a new one');
    if (needed > 0x7fffffff) {
      throw new InvalidArgumentError('A RecordBatch cannot exceed 2 GiB; build() smaller batches');
    }
    // A lent arena is taken here, on first use, at the size the last batch needed.
    let size = this.arena.length === 0 ? this.nextArenaBytes : this.arena.length * 2;
    while (size < needed) size *= 2;
    const old = this.arena;
    const oldRegion = this.region;
    const grown = this.newArena(Math.min(size, 0x7fffffff));
    grown.set(old.subarray(0, this.length));
    oldRegion?.release();
    this.arena = grown;
  }
}

/** A batch of the given lines (each split on '\n' as RecordBatchBuilder.append does). */
export function recordBatchFromLines(lines: Iterable<string | Uint8Array>, options?: RecordBatchBuilderOptions): RecordBatch {
  const builder = new RecordBatchBuilder(options);
  builder.appendAll(lines);
  return builder.build();
}

/** A batch with no records (and the usual padding behind its empty data). */
export function emptyRecordBatch(): RecordBatch {
  return { data: new Uint8Array(RECORD_BATCH_PADDING).subarray(0, 0), ends: new Int32Array(0), count: 0 };
}

/** Start offset of record i in `batch.data`. */
export function recordStart(batch: RecordBatch, i: number): number {
  return i === 0 ? 0 : (batch.ends[i - 1] as number) + 1;
}

/** Record i's bytes (a view, not a copy), without its '\n'. */
export function recordAt(batch: RecordBatch, i: number): Uint8Array {
  if (!Number.isInteger(i) || i < 0 || i >= batch.count) {
    throw new InvalidArgumentError(`Record index ${i} is outside the batch (0..${batch.count - 1})`);
  }
  return batch.data.subarray(recordStart(batch, i), batch.ends[i] as number);
}

/**
 * All records as strings, with one TextDecoder call over the whole arena
 * (decoding per record costs far more). Invalid UTF-8 becomes U+FFFD; it can
 * never swallow a '\n', so record boundaries survive.
 */
export function decodeRecords(batch: RecordBatch): string[] {
  if (batch.count === 0) return [];
  const lastNewline = batch.ends[batch.count - 1] as number;
  return decoder.decode(batch.data.subarray(0, lastNewline)).split('\n');
}
