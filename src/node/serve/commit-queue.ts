/**
 * What an acknowledgement promises, and the queue that keeps the promise.
 *
 * A frame is acknowledged once its records are in the receiver's bounded
 * buffer (the engine's block buffer, held to receiverBufferBytes), and:
 *   - with a write-ahead log (`sluice serve --checkpoint DIR`): only after
 *     the frame was appended to the WAL and fsynced. A crash after the ack
 *     loses nothing: the restart replays the WAL from the last checkpoint's
 *     position into its first batch, so every acknowledged record is counted
 *     in state exactly once (outputs of the batches after that checkpoint are
 *     produced again, as in Spark).
 *   - without one: at once. The ack then means "accepted into memory"; a
 *     crash loses what no batch has processed yet.
 *
 * Frames commit in arrival order. With a WAL, frames arriving while an
 * append+fsync is in flight are written together by the next one (group
 * commit), so many clients share each fsync.
 */

import type { WriteAheadLog } from './write-ahead-log.js';

export interface PendingFrame {
  readonly payload: Uint8Array;
  /** Called in arrival order once the frame is durable and stored (`stored` false: the receiver had stopped; no ack). */
  readonly committed: (stored: boolean) => void;
}

export class CommitQueue {
  private queue: PendingFrame[] = [];
  private inFlight: Promise<void> | undefined;
  private queuedBytes = 0;
  private failure: unknown;

  constructor(
    private readonly store: (payload: Uint8Array, walEnd: number | undefined) => boolean,
    private readonly wal: WriteAheadLog | undefined,
    private readonly onFailure: (error: unknown) => void,
    private readonly afterCommit: () => void = () => {},
  ) {}

  /** Bytes accepted from clients and not yet stored (waiting for the WAL). */
  get pendingBytes(): number {
    return this.queuedBytes;
  }

  add(frame: PendingFrame): void {
    if (this.failure !== undefined) {
      frame.committed(false);
      return;
    }
    if (this.wal === undefined) {
      frame.committed(this.store(frame.payload, undefined));
      return;
    }
    this.queue.push(frame);
    this.queuedBytes += frame.payload.length;
    this.inFlight ??= this.writeAll();
  }

  /** Resolves once every frame added so far is committed (or failed). */
  async drained(): Promise<void> {
    while (this.inFlight !== undefined) await this.inFlight;
  }

  private async writeAll(): Promise<void> {
    const wal = this.wal as WriteAheadLog;
    try {
      while (this.queue.length > 0) {
        const frames = this.queue;
        this.queue = [];
        // Frames with no records kept still get their ack in order, without a WAL entry.
        const written = frames.filter((frame) => frame.payload.length > 0);
        let ends: number[];
        try {
          ends = written.length === 0 ? [] : await wal.append(written.map((frame) => frame.payload));
        } catch (error) {
          this.failure = error;
          for (const frame of [...frames, ...this.queue.splice(0)]) frame.committed(false);
          this.queuedBytes = 0;
          this.onFailure(error);
          return;
        }
        let next = 0;
        for (const frame of frames) {
          this.queuedBytes -= frame.payload.length;
          const walEnd = frame.payload.length > 0 ? ends[next++] : undefined;
          frame.committed(this.store(frame.payload, walEnd));
        }
        this.afterCommit();
      }
    } finally {
      this.inFlight = undefined;
    }
  }
}
