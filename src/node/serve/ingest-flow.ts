/**
 * Memory bound for ingestion. Accepted data lives in two places: frames
 * waiting for the write-ahead log (CommitQueue.pendingBytes, bounded by
 * `maxPendingBytes`) and the engine's receiver buffer (receiverBufferBytes).
 * When either is full, every connection that delivers a frame is paused —
 * the busy ones, since idle connections deliver nothing — so its socket is
 * no longer read and TCP holds its sender back; the client is told with a
 * `{"type":"pause","reason":"server-busy"}` message. Once processed batches
 * (or the WAL) free room, every paused connection resumes and is told
 * `{"type":"resume"}`. Memory therefore stays within the two bounds plus,
 * per connection, what `ws` had already read when it paused: the rest of one
 * socket read (up to 64 KiB, a net.Socket's read size) and the frame it
 * ends in (up to maxPayload). All paused connections resume together, so
 * this can all arrive at once.
 */

import type { Receiver } from '../../receivers/receiver.js';
import type { CommitQueue } from './commit-queue.js';

export interface Pausable {
  pause(reason: 'server-busy'): void;
  resume(reason: 'server-busy'): void;
}

export class IngestFlow {
  private readonly paused = new Set<Pausable>();
  private waiting = false;
  private pauses = 0;

  constructor(
    private readonly receiver: Receiver,
    private readonly queue: CommitQueue,
    private readonly maxPendingBytes: number,
  ) {}

  get pausedConnections(): number {
    return this.paused.size;
  }

  /** Times a connection was paused because the server's buffers were full. */
  get pauseCount(): number {
    return this.pauses;
  }

  isFull(): boolean {
    return this.receiver.isBufferFull() || this.queue.pendingBytes >= this.maxPendingBytes;
  }

  /** After a connection delivered a frame: pause it while the buffers are full. */
  afterFrame(connection: Pausable): void {
    if (!this.isFull() || this.paused.has(connection)) return;
    this.paused.add(connection);
    this.pauses++;
    connection.pause('server-busy');
    this.waitForRoom();
  }

  /** Something freed room (a WAL append completed): resume if the buffers allow. */
  check(): void {
    if (this.paused.size === 0 || this.isFull()) return;
    for (const connection of [...this.paused]) connection.resume('server-busy');
    this.paused.clear();
  }

  forget(connection: Pausable): void {
    this.paused.delete(connection);
  }

  private waitForRoom(): void {
    if (this.waiting) return;
    this.waiting = true;
    void this.receiver.whenBufferHasRoom().then(() => {
      this.waiting = false;
      if (this.isFull() && this.receiver.isBufferFull() && !this.receiver.isStopped()) this.waitForRoom();
      else this.check();
    });
  }
}
