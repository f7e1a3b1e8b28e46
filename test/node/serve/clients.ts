// Real `ws` clients for the ingestion server tests: an ingest client that
// tracks its acks, and a /results subscriber that adds up every batch.
import { WebSocket, type ClientOptions } from 'ws';
import { once } from 'node:events';
import { waitFor } from '../fake-receiver-host.js';

export interface ServerMessage {
  type: string;
  seq?: number;
  records?: number;
  dropped?: number;
  reason?: string;
  [key: string]: unknown;
}

export class IngestClient {
  readonly socket: WebSocket;
  readonly messages: ServerMessage[] = [];
  /** The last acknowledged sequence number. */
  acked = 0;
  droppedAcked = 0;
  closeCode: number | undefined;
  closeReason = '';
  readonly closed: Promise<void>;

  constructor(url: string, protocols: string[] = [], options: ClientOptions = {}) {
    this.socket = new WebSocket(`${url.replace(/^http/, 'ws')}/ingest`, protocols, options);
    this.socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as ServerMessage;
      this.messages.push(message);
      if (message.type === 'ack') {
        if ((message.seq as number) < this.acked) throw new Error(`acks went backwards: ${message.seq} after ${this.acked}`);
        this.acked = message.seq as number;
        this.droppedAcked += message.dropped as number;
      }
    });
    this.socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      this.socket.on('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = String(reason);
        resolve();
      }),
    );
  }

  async open(): Promise<this> {
    if (this.socket.readyState !== WebSocket.OPEN) await once(this.socket, 'open');
    return this;
  }

  send(data: string | Buffer, binary = typeof data !== 'string'): void {
    this.socket.send(data, { binary });
  }

  waitForAck(seq: number, timeoutMs = 20_000): Promise<void> {
    return waitFor(() => this.acked >= seq, `ack of record ${seq} (last ack ${this.acked})`, timeoutMs);
  }
}

export interface BatchMessage {
  type: 'batch';
  batch: { batchTime: number; numRecords: number; processingDelay: number; schedulingDelay: number; totalDelay: number; counters: Record<string, number> };
  all?: [string, number][];
  top?: [string, number][];
  distinct: number;
}

/** Subscribes to /results?all=1 and sums every key over the batches it sees. */
export class ResultsSubscriber {
  readonly socket: WebSocket;
  readonly batches: BatchMessage[] = [];
  readonly totals = new Map<string, number>();
  latest: Map<string, number> = new Map();
  closeCode: number | undefined;
  readonly closed: Promise<void>;

  constructor(url: string, query = 'all=1', protocols: string[] = [], options: ClientOptions = {}) {
    this.socket = new WebSocket(`${url.replace(/^http/, 'ws')}/results?${query}`, protocols, options);
    this.socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string };
      if (message.type !== 'batch') return;
      const batch = message as BatchMessage;
      this.batches.push(batch);
      if (batch.all !== undefined) {
        this.latest = new Map(batch.all);
        for (const [key, value] of batch.all) this.totals.set(key, (this.totals.get(key) ?? 0) + value);
      }
    });
    this.socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      this.socket.on('close', (code) => {
        this.closeCode = code;
        resolve();
      }),
    );
  }

  async open(): Promise<this> {
    if (this.socket.readyState !== WebSocket.OPEN) await once(this.socket, 'open');
    return this;
  }

  recordsSeen(): number {
    return this.batches.reduce((sum, b) => sum + b.batch.numRecords, 0);
  }
}

/** The HTTP status a refused upgrade answered with. */
export function upgradeStatus(url: string, path: string, protocols: string[] = [], options: ClientOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}${path}`, protocols, options);
    socket.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('error', (error) => reject(error));
  });
}
