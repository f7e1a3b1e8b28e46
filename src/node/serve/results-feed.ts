/**
 * `/results`: each completed batch's results and BatchInfo pushed as JSON to
 * every subscriber, and the feed the dashboard page draws from.
 *
 * Messages (text frames, one JSON object each):
 *   {"type":"hello","batchIntervalMs":…,"history":[batch…],"receivers":[…],"status":{…}}
 *     once, on connect: the last `historySize` batches (info and top keys).
 *   {"type":"batch","batch":{BatchSummary},"top":[[key,value],…],"distinct":n,
 *    "receivers":[…],"status":{…}}          after every completed batch;
 *     `top` holds the K largest values (K = ?top=N, default 10, at most 1000;
 *     long keys cut, see top-k.ts);
 *     with ?all=1 an `all` array holds every result element instead.
 *
 * A subscriber is never allowed to stall the pipeline or hold memory: when
 * more than `maxBufferedBytes` of messages wait to be written to it, it is
 * dropped with close code 4000 (CLOSE_SLOW_SUBSCRIBER) and its socket is
 * destroyed DROP_GRACE_MS later, whether or not it has read the close frame.
 * Subscribers send nothing; a data message closes them with 1008.
 */

import type { WebSocket } from 'ws';
import type { BatchInfo, ReceiverInfo, StreamingListener } from '../../engine/listener.js';
import { CLOSE_POLICY_VIOLATION, CLOSE_SLOW_SUBSCRIBER } from './close-codes.js';
import { type BatchSummary, type ReceiverSummary, summarizeBatch, summarizeReceiver } from './batch-summary.js';
import { topK } from './top-k.js';

export const DEFAULT_TOP_K = 10;
/** How long a dropped subscriber may still read what was queued for it (and the close frame) before its socket is destroyed. */
export const DROP_GRACE_MS = 5000;
export const MAX_TOP_K = 1000;

export interface ResultsFeedOptions {
  readonly batchIntervalMs: number;
  /** Bytes that may wait for one subscriber before it is dropped; default 8 MiB. */
  readonly maxBufferedBytes?: number;
  /** Batches kept for the dashboard's charts; default 300. */
  readonly historySize?: number;
  /** Server figures sent with every message (connections, buffer use, ...). */
  readonly status?: () => Record<string, number>;
  /** Told of every subscriber dropped as too slow. */
  readonly onSlowSubscriber?: () => void;
}

interface Subscriber {
  readonly socket: WebSocket;
  readonly all: boolean;
  readonly k: number;
}

interface HistoryEntry {
  readonly batch: BatchSummary;
  readonly top: unknown[];
}

export class ResultsFeed implements StreamingListener {
  private readonly subscribers = new Set<Subscriber>();
  private readonly history: HistoryEntry[] = [];
  private readonly receivers = new Map<number, ReceiverSummary>();
  /** Results of batches whose BatchInfo is not complete yet, by batch time. */
  private readonly pending = new Map<number, readonly unknown[]>();
  private readonly maxBufferedBytes: number;
  private readonly historySize: number;
  private dropped = 0;

  constructor(private readonly options: ResultsFeedOptions) {
    this.maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
    this.historySize = options.historySize ?? 300;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  get slowSubscribersDropped(): number {
    return this.dropped;
  }

  /** The output of batch `time` (call from the pipeline's foreachRDD); published when the batch completes. */
  setResults(time: number, elements: readonly unknown[]): void {
    this.pending.set(time, elements);
  }

  /** Adds a subscriber; `query` is the request's search params (all=1, top=N). */
  subscribe(socket: WebSocket, query: URLSearchParams): void {
    const k = Math.min(MAX_TOP_K, Math.max(1, Number.parseInt(query.get('top') ?? '', 10) || DEFAULT_TOP_K));
    const subscriber: Subscriber = { socket, all: query.get('all') === '1', k };
    this.subscribers.add(subscriber);
    socket.on('close', () => this.subscribers.delete(subscriber));
    socket.on('error', () => this.subscribers.delete(subscriber));
    socket.on('message', () => socket.close(CLOSE_POLICY_VIOLATION, '/results takes no messages'));
    const hello = { type: 'hello', batchIntervalMs: this.options.batchIntervalMs, history: this.history, receivers: [...this.receivers.values()], status: this.status() };
    this.send(subscriber, JSON.stringify(hello));
  }

  onReceiverStarted({ receiverInfo }: { readonly receiverInfo: ReceiverInfo }): void {
    this.receivers.set(receiverInfo.streamId, summarizeReceiver(receiverInfo));
  }

  onReceiverError({ receiverInfo }: { readonly receiverInfo: ReceiverInfo }): void {
    this.receivers.set(receiverInfo.streamId, summarizeReceiver(receiverInfo));
  }

  onReceiverStopped({ receiverInfo }: { readonly receiverInfo: ReceiverInfo }): void {
    this.receivers.set(receiverInfo.streamId, summarizeReceiver(receiverInfo));
  }

  onBatchCompleted({ batchInfo }: { readonly batchInfo: BatchInfo }): void {
    const elements = this.pending.get(batchInfo.batchTime) ?? [];
    for (const time of this.pending.keys()) if (time <= batchInfo.batchTime) this.pending.delete(time);
    const batch = summarizeBatch(batchInfo, this.options.batchIntervalMs);
    const top = topK(elements, DEFAULT_TOP_K);
    this.history.push({ batch, top });
    if (this.history.length > this.historySize) this.history.shift();
    if (this.subscribers.size === 0) return;
    const base = { type: 'batch', batch, distinct: elements.length, receivers: [...this.receivers.values()], status: this.status() };
    // One JSON text per kind of subscriber, not one per subscriber.
    const texts = new Map<string, string>();
    for (const subscriber of [...this.subscribers]) {
      const kind = subscriber.all ? 'all' : String(subscriber.k);
      let text = texts.get(kind);
      if (text === undefined) {
        text = JSON.stringify(subscriber.all ? { ...base, all: elements } : { ...base, top: subscriber.k === DEFAULT_TOP_K ? top : topK(elements, subscriber.k) });
        texts.set(kind, text);
      }
      this.send(subscriber, text);
    }
  }

  /** Closes every subscriber with `code` (server shutdown). */
  closeAll(code: number, reason: string): void {
    for (const { socket } of this.subscribers) socket.close(code, reason);
    this.subscribers.clear();
  }

  private status(): Record<string, number> {
    return { subscribers: this.subscribers.size, ...(this.options.status?.() ?? {}) };
  }

  private send(subscriber: Subscriber, text: string): void {
    const { socket } = subscriber;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount + text.length > this.maxBufferedBytes) {
      this.subscribers.delete(subscriber);
      this.dropped++;
      this.options.onSlowSubscriber?.();
      socket.close(CLOSE_SLOW_SUBSCRIBER, 'results not read fast enough');
      // A subscriber that reads nothing never completes the closing handshake.
      setTimeout(() => socket.terminate(), DROP_GRACE_MS).unref();
      return;
    }
    socket.send(text);
  }
}
