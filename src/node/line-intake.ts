/**
 * The path from raw bytes to `receiver.store`, shared by the socket and file
 * receivers: split into lines (LineSplitter), drop over-long lines and lines
 * that are not valid UTF-8, count every drop, and tell the listeners.
 *
 * Why drop invalid UTF-8: the kernels count raw bytes while the JS path
 * decodes (invalid sequences become U+FFFD), so such a line would give
 * different keys on the two paths; dropping it keeps results identical.
 *
 * Reports are throttled: the first drop of each kind is reported at once,
 * later ones at most every `reportIntervalMs` with running totals, so a
 * garbage stream cannot flood the listeners (or the terminal) with messages.
 */

import { isUtf8 } from 'node:buffer';
import { LineSplitter } from '../receivers/line-splitter.js';
import type { Receiver } from '../receivers/receiver.js';

export interface LineIntakeOptions {
  /** Longest line kept (bytes); default 1 MiB. */
  readonly maxLineBytes?: number;
  /** 'drop' (default) or 'keep' lines that are not valid UTF-8. */
  readonly invalidUtf8?: 'drop' | 'keep';
  /** Minimum time between two reports of the same kind of drop. Default 1000 ms. */
  readonly reportIntervalMs?: number;
}

export interface LineIntakeStats {
  readonly linesStored: number;
  readonly oversizeLinesDropped: number;
  readonly invalidUtf8LinesDropped: number;
}

type DropKind = 'oversize' | 'invalidUtf8';

export class LineIntake {
  private readonly receiver: Receiver;
  private readonly splitter: LineSplitter;
  private readonly dropInvalid: boolean;
  private readonly reportIntervalMs: number;
  /** Where the bytes come from, for messages ("file x.txt", "127.0.0.1:9999"). */
  private source: string;
  private stored = 0;
  private invalid = 0;
  private readonly lastReport: Record<DropKind, number> = { oversize: -Infinity, invalidUtf8: -Infinity };
  private readonly unreported: Record<DropKind, number> = { oversize: 0, invalidUtf8: 0 };

  constructor(receiver: Receiver, source: string, options: LineIntakeOptions = {}) {
    this.receiver = receiver;
    this.source = source;
    this.dropInvalid = (options.invalidUtf8 ?? 'drop') === 'drop';
    this.reportIntervalMs = options.reportIntervalMs ?? 1000;
    this.splitter = new LineSplitter((line) => this.take(line), {
      ...(options.maxLineBytes === undefined ? {} : { maxLineBytes: options.maxLineBytes }),
      onOversize: () => this.dropped('oversize'),
    });
  }

  get stats(): LineIntakeStats {
    return { linesStored: this.stored, oversizeLinesDropped: this.splitter.oversizeCount, invalidUtf8LinesDropped: this.invalid };
  }

  /** Bytes received since the last '\n' (an unfinished line, or the discarded part of an over-long one). */
  get unterminatedBytes(): number {
    return this.splitter.unterminatedBytes;
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

  /** Forget an unfinished line whose rest will never come (connection reset). */
  reset(): void {
    this.splitter.reset();
  }

  /** Reports drops still held back by the throttle (at the end of a file, at stop). */
  reportPending(): void {
    for (const kind of ['oversize', 'invalidUtf8'] as const) {
      if (this.unreported[kind] > 0) {
        this.lastReport[kind] = -Infinity;
        this.unreported[kind]--;
        this.dropped(kind);
      }
    }
  }

  private take(line: Uint8Array): void {
    if (this.dropInvalid && !isUtf8(line)) {
      this.invalid++;
      this.dropped('invalidUtf8');
      return;
    }
    this.stored++;
    this.receiver.store(line);
  }

  private dropped(kind: DropKind): void {
    this.unreported[kind]++;
    const now = Date.now();
    if (now - this.lastReport[kind] < this.reportIntervalMs) return;
    this.lastReport[kind] = now;
    const count = this.unreported[kind];
    this.unreported[kind] = 0;
    const total = kind === 'oversize' ? this.splitter.oversizeCount : this.invalid;
    const what =
      kind === 'oversize'
        ? `line${count === 1 ? '' : 's'} longer than ${this.splitter.maxLineBytes} bytes`
        : `line${count === 1 ? '' : 's'} that ${count === 1 ? 'is' : 'are'} not valid UTF-8`;
    this.receiver.reportError(`Dropped ${count} ${what} from ${this.source} (${total} so far); the stream continues with the next line.`);
  }
}
