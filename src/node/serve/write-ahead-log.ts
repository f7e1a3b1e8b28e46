/**
 * The ingestion server's write-ahead log (Spark's receiver WAL): frames are
 * appended and fsynced here before they are acknowledged, so an
 * acknowledged record survives a crash (SIGKILL, power loss after the fsync)
 * and is replayed into the first batch after the restart.
 *
 * Layout: `<dir>/wal-<start offset, 16 hex digits>.log` segments; a segment
 * is closed and a new one begun once it passes `segmentBytes`. Offsets are
 * global byte positions across segments. Each entry is
 *
 *   ┌──────────────┬──────────────┬───────────────────────┐
 *   │ length u32LE │ crc32 u32LE  │ payload (length bytes) │
 *   └──────────────┴──────────────┴───────────────────────┘
 *
 * A crash mid-append leaves a torn entry at the end of the last segment;
 * `open` cuts it off (it was never fsynced, so never acknowledged). A
 * corrupt entry with intact entries after it (see wal-entries.ts) is skipped
 * and reported: the acknowledged entries behind it are kept and replayed.
 *
 * Retention: the checkpoint records the offset up to which the engine holds
 * everything (the receiver's position). Segments wholly before the position
 * of the *previous* durable checkpoint are deleted (the store falls back to
 * that one if the newest is corrupt), see `truncateBefore`.
 */

import { open, readdir, readFile, rm, stat, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from '../../checkpoint/crc32.js';
import { ENTRY_HEADER_BYTES, scanEntries } from './wal-entries.js';
import { CheckpointError, IllegalStateError } from '../../errors.js';
import { createDirectory } from '../create-directory.js';
import { syncDirectory } from '../file-checkpoint-store.js';

const SEGMENT = /^wal-([0-9a-f]{16})\.log$/;
export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;

function segmentName(start: number): string {
  return `wal-${start.toString(16).padStart(16, '0')}.log`;
}

interface Segment {
  readonly start: number;
  size: number;
}

export interface WalReplay {
  readonly payloads: Uint8Array[];
  /** Set when entries between the position and the end could not be read (a deleted segment, corruption). */
  readonly problem?: string;
}

export class WriteAheadLog {
  private readonly segments: Segment[];
  private handle: FileHandle | undefined;
  private appending = false;

  private constructor(
    readonly dir: string,
    private readonly segmentBytes: number,
    segments: Segment[],
  ) {
    this.segments = segments;
  }

  /** Opens (creating) the log in `dir`, cutting a torn last entry off. */
  static async open(dir: string, options: { segmentBytes?: number } = {}): Promise<WriteAheadLog> {
    await createDirectory(dir);
    const segments: Segment[] = [];
    for (const name of await readdir(dir)) {
      const match = SEGMENT.exec(name);
      if (match !== null) segments.push({ start: parseInt(match[1] as string, 16), size: (await stat(join(dir, name))).size });
    }
    segments.sort((a, b) => a.start - b.start);
    const last = segments[segments.length - 1];
    if (last !== undefined) {
      const { validEnd } = scanEntries(await readFile(join(dir, segmentName(last.start))), 0);
      if (validEnd < last.size) {
        await truncate(join(dir, segmentName(last.start)), validEnd);
        last.size = validEnd;
      }
    }
    return new WriteAheadLog(dir, options.segmentBytes ?? DEFAULT_SEGMENT_BYTES, segments);
  }

  /** Offset of the first entry kept. */
  get startOffset(): number {
    return this.segments[0]?.start ?? 0;
  }

  /** Offset just past the last entry. */
  get endOffset(): number {
    const last = this.segments[this.segments.length - 1];
    return last === undefined ? 0 : last.start + last.size;
  }

  /** The payloads of the entries from `offset` (an entry boundary this log returned) to the end. */
  async readFrom(offset: number): Promise<WalReplay> {
    const payloads: Uint8Array[] = [];
    let problem: string | undefined;
    if (offset < this.startOffset) problem = `the write-ahead log in ${this.dir} starts at ${this.startOffset}, after the checkpoint's position ${offset}: entries in between were deleted`;
    if (offset > this.endOffset) problem = `the write-ahead log in ${this.dir} ends at ${this.endOffset}, before the checkpoint's position ${offset}: it was truncated or replaced`;
    for (const segment of this.segments) {
      const end = segment.start + segment.size;
      if (end <= offset) continue;
      const bytes = await readFile(join(this.dir, segmentName(segment.start)));
      const from = Math.max(0, offset - segment.start);
      const scanned = scanEntries(bytes.subarray(0, segment.size), from);
      payloads.push(...scanned.payloads);
      const file = join(this.dir, segmentName(segment.start));
      for (const { start, end } of scanned.damaged) {
        problem = `${problem === undefined ? '' : `${problem}; `}bytes ${segment.start + start} to ${segment.start + end} of ${file} are corrupt and were skipped (the records in them are lost; the entries after them are replayed)`;
      }
      if (scanned.validEnd < segment.size) {
        problem = `${problem === undefined ? '' : `${problem}; `}entry at offset ${segment.start + scanned.validEnd} of ${file} is corrupt up to the end of that segment and was skipped (the records in it are lost)`;
      }
    }
    return problem === undefined ? { payloads } : { payloads, problem };
  }

  /**
   * Appends the payloads as entries and fsyncs; resolves with the offset
   * just past each one. One append at a time (the caller queues the rest).
   */
  async append(payloads: readonly Uint8Array[]): Promise<number[]> {
    if (this.appending) throw new IllegalStateError('WriteAheadLog.append was called while an append is in flight; queue appends (CommitQueue does).');
    this.appending = true;
    try {
      let segment = this.segments[this.segments.length - 1];
      if (segment === undefined || segment.size >= this.segmentBytes) {
        await this.handle?.close();
        this.handle = undefined;
        segment = { start: this.endOffset, size: 0 };
        this.segments.push(segment);
      }
      if (this.handle === undefined) {
        this.handle = await open(join(this.dir, segmentName(segment.start)), 'a');
        // A new segment's directory entry must be durable too, or a power loss could lose the file.
        if (segment.size === 0) await syncDirectory(this.dir);
      }
      const buffers: Uint8Array[] = [];
      const ends: number[] = [];
      let offset = segment.start + segment.size;
      for (const payload of payloads) {
        const header = new Uint8Array(ENTRY_HEADER_BYTES);
        const view = new DataView(header.buffer);
        view.setUint32(0, payload.length, true);
        view.setUint32(4, crc32(payload), true);
        buffers.push(header, payload);
        offset += ENTRY_HEADER_BYTES + payload.length;
        ends.push(offset);
      }
      try {
        // One buffer: writev is limited to IOV_MAX pieces, and the copy is cheap next to the fsync.
        await this.handle.write(Buffer.concat(buffers));
        await this.handle.datasync();
      } catch (error) {
        throw new CheckpointError('ERR_SLUICE_CHECKPOINT_IO', `Could not append to the write-ahead log in ${this.dir}: ${(error as Error).message}. Records not acknowledged; free disk space or fix permissions.`, { cause: error });
      }
      segment.size = offset - segment.start;
      return ends;
    } finally {
      this.appending = false;
    }
  }

  /** Deletes the segments that end at or before `offset` (never the one being appended to). */
  async truncateBefore(offset: number): Promise<void> {
    while (this.segments.length > 1) {
      const first = this.segments[0] as Segment;
      if (first.start + first.size > offset) return;
      this.segments.shift();
      await rm(join(this.dir, segmentName(first.start)), { force: true });
    }
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }
}

