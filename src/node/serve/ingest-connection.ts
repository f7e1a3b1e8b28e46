/**
 * One client on `/ingest`: frames in, acknowledgements out.
 *
 * Sequence numbers: the records a connection sends are numbered 1, 2, 3, …
 * in order (every line of every frame, kept or dropped). After each frame
 * the server answers `{"type":"ack","seq":N,"records":r,"dropped":d}`: every
 * record up to N is handled — stored under the promise in commit-queue.ts,
 * or dropped as over-long (`d` of this frame's `r`). Acks come in frame order.
 * A frame that gets no ack (the connection or the server went away first)
 * may or may not have been stored: send it again on a new connection.
 *
 * Rate limit (`maxRatePerSecond`, records per connection): a frame that
 * overdraws the allowance is accepted, then the socket is not read until
 * the debt is paid (`{"type":"pause","reason":"rate-limit","retryMs":…}`,
 * later `{"type":"resume"}`); TCP holds the client back meanwhile, so a
 * flood costs the server one frame of memory and other clients nothing.
 *
 * Unread acks: a client that sends but never reads its acks would make the
 * server hold every ack in memory. Once more than MAX_UNREAD_ACK_BYTES wait
 * for it, its socket is not read (TCP holds it back, silently: it reads
 * nothing, so telling it is pointless) until it has read half of them.
 */

import type { WebSocket } from 'ws';
import type { RateLimiter } from '../rate-limiter.js';
import type { CommitQueue } from './commit-queue.js';
import { SystemClock } from '../../engine/clock.js';
import { frameRecords } from './frame-records.js';
import type { IngestFlow } from './ingest-flow.js';

type PauseReason = 'rate-limit' | 'server-busy';

const systemClock = new SystemClock();

/** Bytes of acks (and other replies) that may wait for a client before it is no longer read. */
export const MAX_UNREAD_ACK_BYTES = 1024 * 1024;
const UNREAD_POLL_MS = 50;

export interface IngestCounters {
  frames: number;
  bytes: number;
  records: number;
  dropped: number;
  throttled: number;
  /** Times a connection was no longer read because it left too many acks unread. */
  unreadPauses: number;
  /** Records of binary frames that were not valid UTF-8 (kept, read with U+FFFD). */
  invalidUtf8: number;
}

export class IngestConnection {
  private seq = 0;
  private readonly pauses = new Set<PauseReason | 'unread-acks'>();
  /** Cancels the rate-limit resume while one is scheduled. */
  private cancelResume: (() => void) | undefined;
  private unreadTimer: ReturnType<typeof setInterval> | undefined;
  /** A pause the client was told of ended while unread acks still held it: tell it once those clear. */
  private resumeOwed = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly queue: CommitQueue,
    private readonly flow: IngestFlow,
    private readonly limiter: RateLimiter | undefined,
    private readonly maxLineBytes: number,
    private readonly counters: IngestCounters,
  ) {
    socket.on('message', (data: Buffer, isBinary: boolean) => this.frame(data, isBinary));
    socket.on('close', () => this.closed());
  }

  pause(reason: PauseReason, retryMs?: number): void {
    if (this.pauses.size === 0) this.socket.pause();
    this.pauses.add(reason);
    this.resumeOwed = false;
    this.notify(retryMs === undefined ? { type: 'pause', reason } : { type: 'pause', reason, retryMs });
  }

  resume(reason: PauseReason): void {
    if (!this.pauses.delete(reason)) return;
    if (this.pauses.size > 0) {
      if (this.pauses.size === 1 && this.pauses.has('unread-acks')) this.resumeOwed = true;
      return;
    }
    this.socket.resume();
    this.notify({ type: 'resume' });
  }

  /** Too many replies wait for this client: stop reading it until it has read half of them. */
  private holdUnreadAcks(): void {
    if (this.pauses.has('unread-acks') || this.socket.bufferedAmount <= MAX_UNREAD_ACK_BYTES) return;
    if (this.pauses.size === 0) this.socket.pause();
    this.pauses.add('unread-acks');
    this.counters.unreadPauses++;
    // `ws` tells no one when its send buffer drains: look again now and then, only while held.
    this.unreadTimer = setInterval(() => {
      if (this.socket.readyState === this.socket.OPEN && this.socket.bufferedAmount > MAX_UNREAD_ACK_BYTES / 2) return;
      clearInterval(this.unreadTimer);
      this.unreadTimer = undefined;
      this.pauses.delete('unread-acks');
      if (this.pauses.size > 0) return;
      this.socket.resume();
      if (this.resumeOwed) this.notify({ type: 'resume' });
      this.resumeOwed = false;
    }, UNREAD_POLL_MS);
  }

  /** Stop reading for good (server shutdown); frames `ws` already read are still handled. */
  stopReading(): void {
    this.pauses.add('server-busy');
    this.socket.pause();
  }

  private frame(data: Buffer, isBinary: boolean): void {
    const frame = frameRecords(data, this.maxLineBytes, isBinary);
    this.counters.frames++;
    this.counters.bytes += data.length;
    this.counters.dropped += frame.dropped;
    this.counters.invalidUtf8 += frame.invalidUtf8;
    this.seq += frame.records;
    const ack = JSON.stringify({ type: 'ack', seq: this.seq, records: frame.records, dropped: frame.dropped });
    this.queue.add({
      payload: frame.payload,
      committed: (stored) => {
        if (!stored) return;
        this.counters.records += frame.records - frame.dropped;
        this.notify(ack);
      },
    });
    if (this.limiter !== undefined && frame.records > 0) {
      const waitMs = this.limiter.spend(frame.records);
      if (waitMs > 0 && !this.pauses.has('rate-limit')) {
        this.counters.throttled++;
        this.pause('rate-limit', waitMs);
        this.resumeAfter(waitMs);
      }
    }
    this.flow.afterFrame(this);
  }

  /**
   * Resumes reading `waitMs` from now, through SystemClock: a single
   * setTimeout over 2^31 − 1 ms (a frame of a million records under a rate
   * below 0.5 records/s asks for one) would fire after 1 ms instead.
   */
  private resumeAfter(waitMs: number): void {
    this.cancelResume = systemClock.schedule(systemClock.now() + waitMs, () => {
      this.cancelResume = undefined;
      this.resume('rate-limit');
    });
  }

  private notify(message: string | object): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
    this.holdUnreadAcks();
  }

  private closed(): void {
    this.cancelResume?.();
    if (this.unreadTimer !== undefined) clearInterval(this.unreadTimer);
    this.flow.forget(this);
  }
}
