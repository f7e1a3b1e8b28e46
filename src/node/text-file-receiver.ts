/**
 * textFileStream(dir): lines of the files that appear in a directory.
 *
 * How to feed it (the same convention as Spark/Hadoop): a file is read as
 * soon as it is seen under its final name, so write it elsewhere (or under an
 * ignored name in the same directory) and rename it into place when it is
 * complete — a rename within one file system is atomic:
 *
 *     write  dir/.orders.csv   (or dir/orders.csv.tmp, dir/orders.csv._COPYING_)
 *     rename dir/.orders.csv → dir/orders.csv
 *
 * Ignored names: starting with '.' or '_', ending in '.tmp', or containing
 * '_COPYING_'. Subdirectories are ignored too. A file written in place under
 * its final name may be read half-written.
 *
 * What is read: by default only files that appear after start — the files
 * present when onStart runs are remembered as seen and skipped
 * (`includeExisting: true` reads them too). Each file is read once, in order
 * of modification time then name, in chunks; a file's lines are stored as
 * they are read (reading waits while the engine's buffer of received-but-
 * unprocessed data is full, Receiver.isBufferFull). Renaming a new file over the name of one already read does
 * not make it read again; a name is forgotten once its file is gone from the
 * directory (so the remembered set stays as small as the directory), and a
 * file appearing later under that name is new.
 *
 * Exactly once across restarts: `checkpointPosition()` is the set of files
 * already read plus, for the file being read, the offset just past the last
 * complete line stored. It always matches exactly what was stored so far, so
 * a checkpoint that takes it at a batch cut, with that batch's data, resumes
 * without losing or repeating a line (`restorePosition`).
 *
 * Bad input never stops the stream: an empty file, a file deleted before it
 * could be opened, a file whose name is not valid UTF-8 (Node lists it with
 * U+FFFD, a name that opens nothing), a read error, over-long lines and (with invalidUtf8: 'drop') lines of invalid UTF-8
 * (binary garbage) are skipped, counted in `stats`, and reported through
 * `reportError`.
 */

import { readdirSync } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { Receiver } from '../receivers/receiver.js';
import { CheckpointError, InvalidArgumentError } from '../errors.js';
import { requireNonEmptyString } from '../arguments.js';
import { LineIntake, type LineIntakeOptions, type LineIntakeStats, type RateControlled } from './line-intake.js';

/** Options of textFileStream / TextFileReceiver. */
export interface TextFileReceiverOptions extends LineIntakeOptions {
  /** Also read the files present when the stream starts. Default false. */
  readonly includeExisting?: boolean;
  /** How often the directory is listed. Default 1000 ms. */
  readonly pollIntervalMs?: number;
  /** Bytes per read. Default 64 KiB. */
  readonly chunkBytes?: number;
}

/** Counters of a TextFileReceiver. */
export interface TextFileReceiverStats extends LineIntakeStats {
  /** Directory listings done so far (tests wait for the first before adding files). */
  readonly scans: number;
  readonly filesRead: number;
  readonly filesSkipped: number;
  readonly bytesRead: number;
}

/** The JSON saved in checkpoints. */
export interface TextFilePosition {
  readonly done: readonly string[];
  readonly current?: { readonly name: string; readonly offset: number };
}

/** True for names textFileStream skips: hidden files and temporary names used while a file is being written. */
export function isIgnoredFileName(name: string): boolean {
  return name.startsWith('.') || name.startsWith('_') || name.endsWith('.tmp') || name.includes('_COPYING_');
}

/** A name readdir could return for an entry of the directory itself: no separator, not '.' or '..'. */
function isPlainFileName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes(sep) && !name.includes('\0');
}

/** The receiver behind textFileStream (see the top of this file). */
export class TextFileReceiver extends Receiver implements RateControlled {
  readonly dir: string;
  private readonly includeExisting: boolean;
  private readonly pollIntervalMs: number;
  private readonly chunkBytes: number;
  private readonly intake: LineIntake;
  private readonly done = new Set<string>();
  /** The file being read and where this read began; its position is that plus what the intake committed. */
  private current: { name: string; startOffset: number } | undefined;
  private resumeReading: (() => void) | undefined;
  /** False until the files present at start were remembered, or after a restored position (which already says what was seen). */
  private scannedOnce = false;
  /** Bumped at every start/stop so a loop from an earlier run notices it must end. */
  private generation = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private missingDirReported = false;
  /** The last scan failure reported: the same one again (every poll) is not repeated. */
  private lastScanFailure: string | undefined;
  private scans = 0;
  private filesRead = 0;
  private filesSkipped = 0;
  private bytesRead = 0;

  constructor(dir: string, options: TextFileReceiverOptions = {}) {
    super(`TextFileReceiver(${String(dir)})`);
    requireNonEmptyString('textFileStream', 'the directory', dir, "'./incoming'");
    const pollIntervalMs = options.pollIntervalMs ?? 1000;
    const chunkBytes = options.chunkBytes ?? 64 * 1024;
    if (!(Number.isFinite(pollIntervalMs) && pollIntervalMs > 0)) throw new InvalidArgumentError(`pollIntervalMs must be positive, got ${String(options.pollIntervalMs)}`);
    if (!(Number.isInteger(chunkBytes) && chunkBytes > 0)) throw new InvalidArgumentError(`chunkBytes must be a positive integer, got ${String(options.chunkBytes)}`);
    this.dir = resolve(dir);
    this.includeExisting = options.includeExisting ?? false;
    this.pollIntervalMs = pollIntervalMs;
    this.chunkBytes = chunkBytes;
    this.intake = new LineIntake(this, `directory ${this.dir}`, options);
    // The read loop waits on its own while lines are queued; it only needs waking when they are gone.
    this.intake.setFlowControl({ pause: () => {}, resume: () => this.wakeReader() });
  }

  get stats(): TextFileReceiverStats {
    return { scans: this.scans, filesRead: this.filesRead, filesSkipped: this.filesSkipped, bytesRead: this.bytesRead, ...this.intake.stats };
  }

  override checkpointPosition(): TextFilePosition {
    const done = [...this.done];
    if (this.current === undefined) return { done };
    return { done, current: { name: this.current.name, offset: this.current.startOffset + this.intake.committedBytes } };
  }

  get maxRatePerSecond(): number | undefined {
    return this.intake.maxRatePerSecond;
  }

  setMaxRate(ratePerSecond: number | undefined): void {
    this.intake.setMaxRate(ratePerSecond);
  }

  private wakeReader(): void {
    const resume = this.resumeReading;
    this.resumeReading = undefined;
    resume?.();
  }

  /**
   * Continues after `position` (from a checkpoint). Every name in it must be
   * a plain file name in this directory — a path such as "../outside.txt"
   * would make the receiver read outside it — so anything else is refused as
   * a corrupt checkpoint (CheckpointError CORRUPT), before anything is read.
   */
  override restorePosition(position: unknown): void {
    if (position === undefined) return;
    const saved = position as Partial<Record<keyof TextFilePosition, unknown>>;
    if (position === null || typeof position !== 'object' || !Array.isArray(saved.done)) throw this.corruptPosition('it is not a list of files read');
    const done = saved.done.map((name: unknown) => this.checkedName(name));
    let current: { name: string; startOffset: number } | undefined;
    if (saved.current !== undefined) {
      const { name, offset } = (saved.current ?? {}) as { name?: unknown; offset?: unknown };
      if (!Number.isSafeInteger(offset) || (offset as number) < 0) throw this.corruptPosition(`the offset ${JSON.stringify(offset)} is not a byte offset`);
      current = { name: this.checkedName(name), startOffset: offset as number };
    }
    for (const name of done) this.done.add(name);
    this.current = current;
    this.scannedOnce = true;
  }

  private checkedName(name: unknown): string {
    if (typeof name !== 'string' || !isPlainFileName(name)) {
      throw this.corruptPosition(`it names ${JSON.stringify(name)}, which is not a file name inside the directory`);
    }
    return name;
  }

  private corruptPosition(problem: string): CheckpointError {
    return new CheckpointError(
      'ERR_SLUICE_CHECKPOINT_CORRUPT',
      `The checkpoint's position for directory ${this.dir} is corrupt: ${problem}. Positions only ever name files in the watched directory, so the checkpoint was damaged or edited. ` +
        'Restore a good copy of the checkpoint, or start from an empty checkpoint directory (state is then lost).',
    );
  }

  onStart(): void {
    const generation = ++this.generation;
    if (!this.scannedOnce) this.restorePosition(this.startPosition());
    void this.run(generation);
  }

  /**
   * The files present now count as already seen (none with includeExisting).
   * getOrCreate records this in the checkpoint store before the first start,
   * so a crash before the first batch does not turn files that arrived after
   * the start into "present at start". Without a store it is taken in
   * onStart, synchronously (one readdir; cheap) rather than at the first
   * asynchronous scan, which a file created right after start() could beat.
   */
  override startPosition(): TextFilePosition {
    if (this.includeExisting) return { done: [] };
    try {
      return { done: readdirSync(this.dir).filter((name) => !isIgnoredFileName(name)) };
    } catch (error) {
      // A missing directory has no existing files; the scan loop reports it.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return { done: [] };
    }
  }

  onStop(): void {
    this.generation++;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    // The final flush: lines the rate limit held back are stored now, so a graceful stop processes them.
    try {
      this.intake.storeQueued();
    } catch (error) {
      this.reportError(`Storing the last lines of ${this.dir} at stop failed; they will be read again at the next start.`, error);
    }
    // Fold what was stored into the position before the intake forgets it.
    if (this.current !== undefined) this.current = { name: this.current.name, startOffset: this.current.startOffset + this.intake.committedBytes };
    this.intake.clear();
    this.intake.reportPending();
    this.wakeReader();
  }

  private live(generation: number): boolean {
    return generation === this.generation && !this.isStopped();
  }

  private async run(generation: number): Promise<void> {
    try {
      if (this.current !== undefined) await this.readFile(this.current.name, this.current.startOffset, generation);
      if (!this.live(generation)) return;
      const names = await this.newFiles();
      this.lastScanFailure = undefined;
      for (const name of names) {
        if (!this.live(generation)) return;
        await this.readFile(name, 0, generation);
      }
    } catch (error) {
      const message = (error as Error).message;
      if (this.live(generation) && message !== this.lastScanFailure) {
        this.lastScanFailure = message;
        this.reportError(`Scanning ${this.dir} failed: ${message}; retrying every ${this.pollIntervalMs} ms (reported again only if the error changes).`, error);
      }
    }
    if (this.live(generation)) this.timer = setTimeout(() => void this.run(generation), this.pollIntervalMs);
  }

  /** Names not seen before, oldest first. */
  private async newFiles(): Promise<string[]> {
    let entries;
    try {
      entries = await readdir(this.dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      if (!this.missingDirReported) {
        this.missingDirReported = true;
        this.reportError(`Directory ${this.dir} does not exist (yet); files will be read once it is created.`);
      }
      return [];
    }
    this.scans++;
    // Forget files that are gone, so the set (saved in every checkpoint) is bounded by the directory, not by history.
    const present = new Set(entries.map((e) => e.name));
    for (const name of this.done) if (!present.has(name)) this.done.delete(name);
    const names = entries.filter((e) => !e.isDirectory() && !isIgnoredFileName(e.name) && !this.done.has(e.name)).map((e) => e.name);
    const dated: { name: string; mtimeMs: number }[] = [];
    for (const name of names) {
      const info = await stat(join(this.dir, name)).catch(() => undefined);
      // readdir gave U+FFFD for bytes of the name that are not UTF-8, so no path reaches the file: say so once rather than never read it in silence.
      if (info === undefined && name.includes('\ufffd')) {
        this.skip(name, 'its name is not valid UTF-8, so it cannot be opened by the name the directory listing gives; rename it to a UTF-8 name and it will be read');
        continue;
      }
      // Gone already, or not a regular file (a socket, a dangling link): not ours to read.
      if (info !== undefined && info.isFile()) dated.push({ name, mtimeMs: info.mtimeMs });
    }
    dated.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return dated.map((d) => d.name);
  }

  private async readFile(name: string, startOffset: number, generation: number): Promise<void> {
    const path = join(this.dir, name);
    this.intake.setSource(`file ${path}`);
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      this.skip(name, code === 'ENOENT' ? `it was deleted before it could be read` : `it cannot be opened (${code ?? (error as Error).message})`, error);
      return;
    }
    try {
      if (!this.live(generation)) return;
      const size = (await handle.stat()).size;
      if (size === 0 && startOffset === 0) {
        this.skip(name, 'it is empty');
        return;
      }
      // Read from there, it would end at once and count as read, its new content unseen and unreported.
      if (startOffset > size) {
        this.skip(name, `it is ${size} bytes long, shorter than the ${startOffset} bytes the checkpoint had read of it: it was truncated or ` +
          'replaced while the stream was stopped. Files must not change once moved into the directory; give new data a new file name');
        return;
      }
      // A position can fall between the '\r' and '\n' of a "\r\n" cut by a read; that '\n' must not become an empty line.
      const before = new Uint8Array(1);
      const afterCarriageReturn = startOffset > 0 && (await handle.read(before, 0, 1, startOffset - 1)).bytesRead === 1 && before[0] === 13;
      if (!this.live(generation)) return;
      this.intake.beginStream(afterCarriageReturn);
      this.current = { name, startOffset };
      let offset = startOffset;
      for (;;) {
        // A fresh buffer per read: the line splitter keeps views into it.
        const buffer = new Uint8Array(this.chunkBytes);
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
        // Stopped while reading: `current` keeps the position, the next start resumes there.
        if (!this.live(generation)) return;
        if (bytesRead === 0) break;
        offset += bytesRead;
        this.bytesRead += bytesRead;
        this.intake.push(buffer.subarray(0, bytesRead));
        if (!(await this.untilDrained(generation))) return;
        if (!(await this.untilBufferHasRoom(generation))) return;
      }
      this.intake.flush();
      if (!(await this.untilDrained(generation))) return;
      // Same turn as the last store: the position never claims a line that was not stored.
      this.current = undefined;
      this.done.add(name);
      this.filesRead++;
      this.intake.reportPending();
    } catch (error) {
      if (!this.live(generation)) return;
      this.intake.clear();
      this.current = undefined;
      this.skip(name, `reading it failed (${(error as Error).message}); the lines stored before the error are kept`, error);
    } finally {
      await handle.close().catch(() => {});
    }
  }

  /** Waits while the rate limit holds lines back; false when the receiver stopped meanwhile. */
  private async untilDrained(generation: number): Promise<boolean> {
    while (this.intake.queuedLines > 0 && this.live(generation)) {
      await new Promise<void>((resolve) => (this.resumeReading = resolve));
    }
    return this.live(generation);
  }

  /** Waits while the engine's buffer of unprocessed data is full; false when the receiver stopped meanwhile. */
  private async untilBufferHasRoom(generation: number): Promise<boolean> {
    while (this.isBufferFull() && this.live(generation)) await this.whenBufferHasRoom();
    return this.live(generation);
  }

  private skip(name: string, why: string, error?: unknown): void {
    this.done.add(name);
    this.filesSkipped++;
    this.reportError(`Skipped file ${join(this.dir, name)}: ${why}.`, error);
  }
}
