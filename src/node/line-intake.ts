/**
 * The path from raw bytes to `receiver.store`, shared by the socket and file
 * receivers: split into lines (LineSplitter), drop over-long lines, count
 * lines that are not valid UTF-8, tell the listeners, and hold the receiver
 * to its rate limit.
 *
 * Invalid UTF-8: kept by default, as Spark's socketTextStream keeps it (its
 * reader decodes ill-formed bytes to U+FFFD), so one bad byte does not lose
 * the good words of its line. The bytes are stored as they came; every path
 * reads them as U+FFFD (closures decode with replacement, kernel results
 * merge keys that decode alike), so results agree. Such lines are counted
 * (`invalidUtf8LinesKept`) and reported; `invalidUtf8: 'drop'` drops them
 * instead (`invalidUtf8LinesDropped`).
 *
 * Rate limit (`maxRatePerSecond`, changeable by backpressure): lines beyond
 * the allowance wait in a queue, as the runs of lines they arrived in (one
 * entry per chunk, not per line: at 10 ms batches, per-line views and queue
 * entries made young-generation garbage whose collections were most of the
 * latency), and are stored a run at a time as tokens accrue, and the receiver is told to pause its input
 * (`FlowControl.pause`: stop reading the socket, so TCP slows the sender;
 * stop reading the file) until the queue has drained. Memory therefore stays
 * bounded by one read chunk plus the OS buffers, whatever the sender does.
 * The queue also waits while the engine's buffer is full
 * (Receiver.isBufferFull); a stopping receiver stores it all (`storeQueued`).
 *
 * Position: `committedBytes` is the stream offset just past the last line
 * handled (stored or dropped as invalid), so a file reader can resume exactly
 * after what reached the engine; lines still queued are not counted.
 *
 * Reports are throttled: the first drop of each kind is reported at once,
 * later ones at most every `reportIntervalMs` with running totals, so a
 * garbage stream cannot flood the listeners (or the terminal) with messages.
 */

import { isUtf8 } from 'node:buffer';
import { LineSplitter } from '../receivers/line-splitter.js';
import type { Receiver } from '../receivers/receiver.js';
import { RateLimiter } from './rate-limiter.js';
import { invalidUtf8Lines } from './invalid-utf8-lines.js';
import { InvalidArgumentError } from '../errors.js';
import { describeValue } from '../arguments.js';

/** Line limits and rate of a LineIntake. */
export interface LineIntakeOptions {
  /** Longest line kept (bytes); default 1 MiB. */
  readonly maxLineBytes?: number;
  /** 'keep' (default: stored, read with U+FFFD for the ill-formed bytes, as Spark does) or 'drop' lines that are not valid UTF-8; either way they are counted. */
  readonly invalidUtf8?: 'drop' | 'keep';
  /** Minimum time between two reports of the same kind of drop. Default 1000 ms. */
  readonly reportIntervalMs?: number;
  /** Most lines stored per second; default unlimited. */
  readonly maxRatePerSecond?: number;
}

/** Counters of a LineIntake. */
export interface LineIntakeStats {
  readonly linesStored: number;
  readonly oversizeLinesDropped: number;
  readonly invalidUtf8LinesDropped: number;
  /** Lines that were not valid UTF-8 and were stored anyway (invalidUtf8: 'keep', the default). */
  readonly invalidUtf8LinesKept: number;
}

/** How the intake asks its receiver to stop and restart reading. */
export interface FlowControl {
  pause(): void;
  resume(): void;
}

const NEWLINE = 10;

type DropKind = 'oversize' | 'invalidUtf8' | 'invalidUtf8Kept';

/** Lines waiting for tokens: `lines` lines each followed by '\n' (a run), or one line without it (`single`). */
interface QueuedLines {
  readonly bytes: Uint8Array;
  readonly lines: number;
  /** Stream offset just past the last of them. */
  readonly end: number;
  readonly single: boolean;
}

/** A receiver whose rate limit can be changed while it runs (by backpressure). */
export interface RateControlled {
  readonly maxRatePerSecond: number | undefined;
  setMaxRate(ratePerSecond: number | undefined): void;
}

/** Splits received bytes into lines and stores them through a receiver, under a rate limit (see the top of this file). */
export class LineIntake {
  private readonly receiver: Receiver;
  private readonly splitter: LineSplitter;
  private readonly dropInvalid: boolean;
  private readonly reportIntervalMs: number;
  private limiter: RateLimiter | undefined;
  private flow: FlowControl | undefined;
  /** Lines waiting for rate-limit tokens, with their end offsets, oldest first. */
  private queue: (QueuedLines | undefined)[] = [];
  private queueHead = 0;
  private queued = 0;
  private drainTimer: ReturnType<typeof setTimeout> | undefined;
  private paused = false;
  private committed = 0;
  /** Where the bytes come from, for messages ("file x.txt", "127.0.0.1:9999"). */
  private source: string;
  private stored = 0;
  private invalid = 0;
  private kept = 0;
  private readonly lastReport: Record<DropKind, number> = { oversize: -Infinity, invalidUtf8: -Infinity, invalidUtf8Kept: -Infinity };
  private readonly unreported: Record<DropKind, number> = { oversize: 0, invalidUtf8: 0, invalidUtf8Kept: 0 };

  constructor(receiver: Receiver, source: string, options: LineIntakeOptions = {}) {
    this.receiver = receiver;
    this.source = source;
    const invalidUtf8 = options.invalidUtf8 ?? 'keep';
    if (invalidUtf8 !== 'drop' && invalidUtf8 !== 'keep') {
      throw new InvalidArgumentError(`invalidUtf8 must be 'keep' (the default) or 'drop', got ${describeValue(invalidUtf8)}`);
    }
    this.dropInvalid = invalidUtf8 === 'drop';
    this.reportIntervalMs = options.reportIntervalMs ?? 1000;
    if (options.maxRatePerSecond !== undefined) this.limiter = new RateLimiter(options.maxRatePerSecond);
    this.splitter = new LineSplitter((line) => this.arrive(line, this.splitter.lineEndOffset), {
      ...(options.maxLineBytes === undefined ? {} : { maxLineBytes: options.maxLineBytes }),
      onOversize: () => this.dropped('oversize'),
      onRun: (run, lines) => this.arriveRun(run, lines, this.splitter.lineEndOffset),
    });
  }

  get stats(): LineIntakeStats {
    return { linesStored: this.stored, oversizeLinesDropped: this.splitter.oversizeCount, invalidUtf8LinesDropped: this.invalid, invalidUtf8LinesKept: this.kept };
  }

  /** Stream offset just past the last line stored or dropped as invalid (see the module comment). */
  get committedBytes(): number {
    return this.committed;
  }

  /** Lines received but held back by the rate limit. */
  get queuedLines(): number {
    return this.queued;
  }

  get maxRatePerSecond(): number | undefined {
    return this.limiter?.ratePerSecond;
  }

  /** Changes the rate limit (undefined: unlimited); queued lines flow at the new rate. */
  setMaxRate(ratePerSecond: number | undefined): void {
    if (ratePerSecond === undefined) this.limiter = undefined;
    else if (this.limiter === undefined) this.limiter = new RateLimiter(ratePerSecond);
    else this.limiter.setRate(ratePerSecond);
    if (this.queuedLines > 0) this.scheduleDrain(0);
  }

  setFlowControl(flow: FlowControl): void {
    this.flow = flow;
  }

  /** Switch the source named in messages (the file receiver reads one file after another). */
  setSource(source: string): void {
    this.source = source;
  }

  push(chunk: Uint8Array): void {
    this.splitter.push(chunk);
  }

  /** End of a stream: its last line may lack the '\n'. */
  flush(): void {
    this.splitter.flush();
  }

  /** Forget an unfinished line whose rest will never come (connection reset). Queued complete lines still flow. */
  discardPartialLine(): void {
    this.splitter.reset();
  }

  /**
   * A new stream begins (the next file, or the rest of one from a saved
   * position): offsets restart at 0. `afterCarriageReturn`: the byte before
   * it was a '\r' (see LineSplitter.reset). Call only when nothing is queued.
   */
  beginStream(afterCarriageReturn = false): void {
    this.splitter.reset(afterCarriageReturn);
    this.committed = 0;
  }

  /**
   * Stores every line the rate limit holds back, now (the receiver is
   * stopping: its final flush, which a graceful stop's last batch includes).
   */
  storeQueued(): void {
    while (this.queueHead < this.queue.length) this.storeHead(Infinity);
  }

  /** Drops queued lines and timers, and restarts offsets (the receiver stopped; what was not stored is not in its position). */
  clear(): void {
    this.splitter.reset();
    this.committed = 0;
    this.queue = [];
    this.queueHead = 0;
    this.queued = 0;
    if (this.drainTimer !== undefined) clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
    this.paused = false;
  }

  /** Reports drops still held back by the throttle (at the end of a file, at stop). */
  reportPending(): void {
    for (const kind of ['oversize', 'invalidUtf8', 'invalidUtf8Kept'] as const) {
      if (this.unreported[kind] > 0) {
        this.lastReport[kind] = -Infinity;
        this.unreported[kind]--;
        this.dropped(kind);
      }
    }
  }

  /**
   * Many lines of one chunk: stored in one call (storeRun), as far as the
   * rate limit allows; the rest waits in the queue as one run.
   */
  private arriveRun(run: Uint8Array, lines: number, end: number): void {
    const allowed = this.queued > 0 ? 0 : this.limiter === undefined ? lines : this.limiter.takeUpTo(lines);
    if (allowed === lines) {
      this.storeRun(run, lines, end);
      return;
    }
    const cut = afterNewlines(run, allowed);
    if (allowed > 0) this.storeRun(run.subarray(0, cut), allowed, end - (run.length - cut));
    this.enqueue({ bytes: run.subarray(cut), lines: lines - allowed, end, single: false });
  }

  private arrive(line: Uint8Array, end: number): void {
    if (this.limiter === undefined || (this.queued === 0 && this.limiter.tryTake())) {
      this.handle(line, end);
      return;
    }
    this.enqueue({ bytes: line, lines: 1, end, single: true });
  }

  private enqueue(lines: QueuedLines): void {
    this.queue.push(lines);
    this.queued += lines.lines;
    if (!this.paused) {
      this.paused = true;
      this.flow?.pause();
      this.scheduleDrain(this.limiter?.msUntilNext() ?? 0);
    }
  }

  /** Stores up to `most` lines from the head of the queue; returns how many. */
  private storeHead(most: number): number {
    const head = this.queue[this.queueHead] as QueuedLines;
    const count = Math.min(most, head.lines);
    if (count <= 0) return 0;
    this.queued -= count;
    if (count === head.lines) {
      // Release the lines for the GC while the rest of the queue waits.
      this.queue[this.queueHead++] = undefined;
      if (head.single) this.handle(head.bytes, head.end);
      else this.storeRun(head.bytes, head.lines, head.end);
      return count;
    }
    const cut = afterNewlines(head.bytes, count);
    const rest = head.bytes.length - cut;
    this.queue[this.queueHead] = { bytes: head.bytes.subarray(cut), lines: head.lines - count, end: head.end, single: false };
    this.storeRun(head.bytes.subarray(0, cut), count, head.end - rest);
    return count;
  }

  /**
   * Lines each followed by '\n', ending at stream offset `end`: stored in
   * one call when they are valid UTF-8 as a whole (or invalid lines are
   * kept, and counted), which is most of the time; otherwise line by line.
   */
  private storeRun(run: Uint8Array, lines: number, end: number): void {
    const valid = isUtf8(run);
    if (valid || !this.dropInvalid) {
      if (!valid) this.countKept(run);
      this.stored += lines;
      this.receiver.storeLines(run);
      this.committed = end;
      return;
    }
    const base = end - run.length;
    let start = 0;
    for (let nl = run.indexOf(NEWLINE); nl !== -1; nl = run.indexOf(NEWLINE, start)) {
      this.handle(run.subarray(start, nl), base + nl + 1);
      start = nl + 1;
    }
  }

  private scheduleDrain(delayMs: number): void {
    if (this.drainTimer !== undefined) clearTimeout(this.drainTimer);
    this.drainTimer = setTimeout(() => this.drain(), delayMs);
  }

  private drain(): void {
    this.drainTimer = undefined;
    // A full engine buffer holds the queue too: it resumes once processed batches free room.
    if (this.receiver.isBufferFull()) {
      void this.receiver.whenBufferHasRoom().then(() => {
        if (this.queuedLines > 0 && this.drainTimer === undefined) this.scheduleDrain(0);
      });
      return;
    }
    while (this.queueHead < this.queue.length) {
      const head = this.queue[this.queueHead] as QueuedLines;
      const allowed = this.limiter === undefined ? head.lines : this.limiter.takeUpTo(head.lines);
      if (this.storeHead(allowed) < head.lines) break;
    }
    if (this.queueHead < this.queue.length) {
      this.scheduleDrain(this.limiter?.msUntilNext() ?? 0);
      return;
    }
    this.queue = [];
    this.queueHead = 0;
    this.paused = false;
    this.flow?.resume();
  }

  private handle(line: Uint8Array, end: number): void {
    if (!isUtf8(line)) {
      if (this.dropInvalid) {
        this.invalid++;
        this.committed = end;
        this.dropped('invalidUtf8');
        return;
      }
      this.kept++;
      this.dropped('invalidUtf8Kept');
    }
    this.stored++;
    this.receiver.store(line);
    this.committed = end;
  }

  /** Counts (and reports) the lines of a run, each followed by '\n', that are not valid UTF-8. */
  private countKept(run: Uint8Array): void {
    for (let n = invalidUtf8Lines(run); n > 0; n--) {
      this.kept++;
      this.dropped('invalidUtf8Kept');
    }
  }

  private dropped(kind: DropKind): void {
    this.unreported[kind]++;
    const now = Date.now();
    if (now - this.lastReport[kind] < this.reportIntervalMs) return;
    this.lastReport[kind] = now;
    const count = this.unreported[kind];
    this.unreported[kind] = 0;
    const lines = `line${count === 1 ? '' : 's'}`;
    const notUtf8 = `that ${count === 1 ? 'is' : 'are'} not valid UTF-8`;
    if (kind === 'invalidUtf8Kept') {
      this.receiver.reportError(`Kept ${count} ${lines} ${notUtf8} from ${this.source} (${this.kept} so far), read with U+FFFD for the ill-formed bytes as Spark does; invalidUtf8: 'drop' drops such lines.`);
      return;
    }
    const total = kind === 'oversize' ? this.splitter.oversizeCount : this.invalid;
    const what = kind === 'oversize' ? `${lines} longer than ${this.splitter.maxLineBytes} bytes` : `${lines} ${notUtf8}`;
    this.receiver.reportError(`Dropped ${count} ${what} from ${this.source} (${total} so far); the stream continues with the next line.`);
  }
}

/** Index just past the n-th '\n' of `run` (0 for n = 0). */
function afterNewlines(run: Uint8Array, n: number): number {
  let at = 0;
  for (let i = 0; i < n; i++) at = run.indexOf(NEWLINE, at) + 1;
  return at;
}
