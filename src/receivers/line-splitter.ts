/**
 * Cuts a stream of byte chunks (socket reads, file reads) into complete lines.
 *
 * Works on bytes, never on decoded text, so a multi-byte UTF-8 character split
 * across two chunks reaches the engine intact, and invalid UTF-8 passes
 * through untouched (the kernels treat non-ASCII bytes as token bytes).
 *
 * Line ends are Java's readLine's (Spark's socketTextStream reads with it):
 * '\n', '\r\n' or a lone '\r', so a producer with '\r'-only line ends gets
 * its lines, not one ever-growing line dropped as over-long. A line ending
 * in '\r' is emitted at once, without waiting for the next chunk; a '\n'
 * starting the next chunk is then the rest of that "\r\n" and is skipped.
 *
 *   chunk 1: "ab\nc"      chunk 2: "d\r\ne\rf"      flush()
 *   → "ab"                → "cd", "e"               → "f"
 *
 * Memory is bounded by `maxLineBytes`: a line longer than that is dropped the
 * moment it crosses the limit (its buffered bytes are released), reported once
 * through `onOversize`, and the bytes after it are discarded up to the next
 * line end. Lines handed to `onLine`, and the held tail of an unfinished line,
 * are views into the chunks passed to `push` (no copy unless a line spans
 * chunks), so a chunk must not be modified after it was pushed.
 */

import { DEFAULT_MAX_RECORD_BYTES } from '../kernels/record-batch.js';
import { InvalidArgumentError } from '../errors.js';
import { countNewlines } from '../kernels/newlines.js';

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;

/** Several complete lines in one view, each followed by '\n' (see `onRun`). */
export type LineRunHandler = (run: Uint8Array, lines: number) => void;

export interface LineSplitterOptions {
  /** Longest line kept, in bytes without its terminator. Default 1 MiB (the RecordBatch limit). */
  readonly maxLineBytes?: number;
  /** Called once for each dropped over-long line with the number of its bytes seen when it was dropped. */
  readonly onOversize?: (bytesSeen: number) => void;
  /**
   * Bulk path for receivers that can store many lines at once: a run of
   * complete lines lying inside one chunk is handed over as one view
   * (`lines` lines, each ending in '\n', the last byte a '\n') instead of
   * line by line. Only runs that need no per-line work are batched: no '\r'
   * (a line end of its own) and no line that could exceed maxLineBytes (the
   * run itself is no longer).
   */
  readonly onRun?: LineRunHandler;
}

export class LineSplitter {
  readonly maxLineBytes: number;
  private readonly onLine: (line: Uint8Array) => void;
  private readonly onOversize: ((bytesSeen: number) => void) | undefined;
  private readonly onRun: LineRunHandler | undefined;
  /** Bytes of the unfinished line, kept as the chunks' views to avoid re-copying on every push. */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private discarding = false;
  /** The last chunk ended in '\r': a '\n' opening the next one completes that "\r\n". */
  private skipNewline = false;
  private lines = 0;
  private oversize = 0;
  /** Bytes pushed since construction or reset(). */
  private pushed = 0;
  private lineEnd = 0;

  constructor(onLine: (line: Uint8Array) => void, options: LineSplitterOptions = {}) {
    const max = options.maxLineBytes ?? DEFAULT_MAX_RECORD_BYTES;
    if (!Number.isInteger(max) || max < 0 || max > 0x3fffffff) {
      throw new InvalidArgumentError(`maxLineBytes must be an integer in [0, 2^30), got ${String(options.maxLineBytes)}`);
    }
    this.maxLineBytes = max;
    this.onLine = onLine;
    this.onOversize = options.onOversize;
    this.onRun = options.onRun;
  }

  /** Lines handed to onLine so far. */
  get lineCount(): number {
    return this.lines;
  }

  /** Over-long lines dropped so far. */
  get oversizeCount(): number {
    return this.oversize;
  }

  /**
   * Inside onLine: the stream offset (bytes pushed since construction or
   * reset) just past the line's terminator ('\n', "\r\n", or '\r' — for a
   * '\r' ending a chunk, just past the '\r'), or the end of input for the line
   * emitted by flush(). A reader that saved it can resume there on a line
   * boundary.
   */
  get lineEndOffset(): number {
    return this.lineEnd;
  }

  /** Bytes held for the unfinished last line (never more than maxLineBytes). */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  push(chunk: Uint8Array): void {
    let from = 0;
    const total = chunk.length;
    const base = this.pushed;
    this.pushed += total;
    if (this.skipNewline && total > 0) {
      this.skipNewline = false;
      if (chunk[0] === NEWLINE) from = 1;
    }
    // At most one attempt per chunk: a failed one (a '\r', a long line) would fail again for each line after it.
    let tryRun = this.onRun !== undefined;
    // The first '\n' and '\r' at or after `from` (-1: none left), each searched again only once passed:
    // input with one kind of line end scans for the other once per chunk, not once per line.
    let nl = -2;
    let cr = -2;
    while (from < total) {
      if (nl !== -1 && nl < from) nl = chunk.indexOf(NEWLINE, from);
      if (cr !== -1 && cr < from) cr = chunk.indexOf(CARRIAGE_RETURN, from);
      const endsAtCr = cr !== -1 && (nl === -1 || cr < nl);
      if (nl === -1 && !endsAtCr) {
        this.holdTail(chunk, from, total);
        return;
      }
      if (endsAtCr) {
        let next = cr + 1;
        if (next === total) this.skipNewline = true;
        else if (chunk[next] === NEWLINE) next++;
        this.lineEnd = base + next;
        this.finishLine(chunk, from, cr);
        from = next;
        continue;
      }
      if (tryRun && this.pending.length === 0 && !this.discarding) {
        tryRun = false;
        const last = chunk.lastIndexOf(NEWLINE);
        if (last > nl && last + 1 - from <= this.maxLineBytes && (cr === -1 || cr > last)) {
          this.emitRun(chunk.subarray(from, last + 1), base + last + 1);
          from = last + 1;
          continue;
        }
      }
      this.lineEnd = base + nl + 1;
      this.finishLine(chunk, from, nl);
      from = nl + 1;
    }
  }

  /** End of input: the bytes after the last '\n', if any, form the final line. */
  flush(): void {
    this.lineEnd = this.pushed;
    this.skipNewline = false;
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    if (this.pending.length === 0) return;
    this.emit(this.takePending());
  }

  /**
   * Forget the unfinished line (the connection dropped mid-line, or a new
   * stream starts); offsets restart at 0. `afterCarriageReturn`: the stream
   * resumes right after a '\r' (a saved lineEndOffset), so a '\n' coming
   * first is the rest of that "\r\n", not an empty line.
   */
  reset(afterCarriageReturn = false): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.discarding = false;
    this.skipNewline = afterCarriageReturn;
    this.pushed = 0;
    this.lineEnd = 0;
  }

  private holdTail(chunk: Uint8Array, from: number, end: number): void {
    if (this.discarding) return;
    const length = end - from;
    if (this.pendingBytes + length > this.maxLineBytes) {
      this.dropOversize(this.pendingBytes + length);
      this.discarding = true;
      return;
    }
    this.pending.push(chunk.subarray(from, end));
    this.pendingBytes += length;
  }

  /** Ends the line whose last bytes are chunk[from, end) (its terminator starts at `end`). */
  private finishLine(chunk: Uint8Array, from: number, end: number): void {
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    if (this.pending.length === 0) {
      this.emit(chunk.subarray(from, end));
      return;
    }
    if (this.pendingBytes + (end - from) > this.maxLineBytes) {
      this.dropOversize(this.pendingBytes + (end - from));
      return;
    }
    this.pending.push(chunk.subarray(from, end));
    this.pendingBytes += end - from;
    this.emit(this.takePending());
  }

  private emit(line: Uint8Array): void {
    if (line.length > this.maxLineBytes) {
      this.dropOversize(line.length);
      return;
    }
    this.lines++;
    this.onLine(line);
  }

  private emitRun(run: Uint8Array, end: number): void {
    const lines = countNewlines(run);
    this.lines += lines;
    this.lineEnd = end;
    (this.onRun as LineRunHandler)(run, lines);
  }

  private takePending(): Uint8Array {
    const parts = this.pending;
    let line: Uint8Array;
    if (parts.length === 1) {
      line = parts[0] as Uint8Array;
    } else {
      line = new Uint8Array(this.pendingBytes);
      let at = 0;
      for (const part of parts) {
        line.set(part, at);
        at += part.length;
      }
    }
    this.pending = [];
    this.pendingBytes = 0;
    return line;
  }

  private dropOversize(bytesSeen: number): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.oversize++;
    this.onOversize?.(bytesSeen);
  }
}
