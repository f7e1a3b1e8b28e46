/**
 * A TCP server that streams generated corpus lines to every client: the
 * seed's data producer (a ServerSocket writing lines in a loop), so trying
 * socketTextStream needs neither `nc` nor a hand-written server.
 *
 * Each client gets its own stream of the corpus from its first line (same
 * name and seed → same lines), paced on its own: a slow client never slows
 * the others. Writes respect backpressure — when `socket.write` returns false
 * the client is not written to again until 'drain' — so memory stays bounded
 * however slow the reader is. With a rate, lines are due at `rate` per second
 * since the client connected; a client that fell behind (backpressure) may
 * catch up by at most one second's worth, never in one unbounded burst.
 */

import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { createCorpus, type CorpusName, type CorpusOptions, type LineSource } from '../corpus/index.js';
import { ConnectionError, InvalidArgumentError } from '../errors.js';

/** Options of the corpus generator server. */
export interface GeneratorServerOptions {
  /** TCP port; 0 lets the OS pick one (read it from `port` after `start`). */
  readonly port: number;
  /** Interface to listen on. Default 127.0.0.1 (use 0.0.0.0 to accept other machines). */
  readonly host?: string;
  /** Default 'english'. */
  readonly corpus?: CorpusName;
  readonly corpusOptions?: CorpusOptions;
  /** Lines per second per client; undefined = as fast as the client reads. */
  readonly linesPerSecond?: number;
  /** Lines per client; after them the connection stays open but silent. Default: endless. */
  readonly linesPerClient?: number;
  readonly onClient?: (event: 'connected' | 'disconnected', remote: string) => void;
}

/** Bytes written per write call when running unthrottled (a few socket buffers, so writes are cheap but bounded). */
const CHUNK_BYTES = 64 * 1024;
const TICK_MS = 10;

/** A TCP server writing generated corpus lines at a set rate (what `sluice gen` runs). */
export class GeneratorServer {
  private readonly options: GeneratorServerOptions;
  private readonly server: Server;
  private readonly clients = new Set<ClientStream>();
  private ticker: ReturnType<typeof setInterval> | undefined;
  private linesSent = 0;
  private clientsServed = 0;

  constructor(options: GeneratorServerOptions) {
    const { port, linesPerSecond, linesPerClient } = options;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(`port must be an integer in 0..65535, got ${String(port)}`);
    if (linesPerSecond !== undefined && !(linesPerSecond > 0 && Number.isFinite(linesPerSecond))) {
      throw new InvalidArgumentError(`rate must be a positive number of lines per second, got ${String(linesPerSecond)}`);
    }
    if (linesPerClient !== undefined && !(Number.isInteger(linesPerClient) && linesPerClient >= 0)) {
      throw new InvalidArgumentError(`lines per client must be a non-negative integer, got ${String(linesPerClient)}`);
    }
    // Fail on a bad corpus name or options now, not at the first connection.
    createCorpus(options.corpus ?? 'english', options.corpusOptions);
    this.options = options;
    this.server = createServer((socket) => this.accept(socket));
  }

  /** The port listened on (the OS's choice when constructed with 0); valid after start(). */
  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new ConnectionError('ERR_SLUICE_CONNECT', 'GeneratorServer is not listening; call start() first.');
    return address.port;
  }

  get stats(): { clients: number; clientsServed: number; linesSent: number } {
    let pending = 0;
    for (const client of this.clients) pending += client.sent;
    return { clients: this.clients.size, clientsServed: this.clientsServed, linesSent: this.linesSent + pending };
  }

  /** Listens; rejects with ConnectionError ERR_SLUICE_PORT_IN_USE when the port is taken. */
  async start(): Promise<number> {
    const host = this.options.host ?? '127.0.0.1';
    this.server.listen(this.options.port, host);
    try {
      await once(this.server, 'listening');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') {
        throw new ConnectionError('ERR_SLUICE_PORT_IN_USE', `Port ${this.options.port} on ${host} is already in use; pick another with --port, or stop the process holding it.`, { cause: error });
      }
      throw new ConnectionError('ERR_SLUICE_CONNECT', `Cannot listen on ${host}:${this.options.port}: ${(error as Error).message}`, { cause: error, retriable: false });
    }
    if (this.options.linesPerSecond !== undefined) {
      this.ticker = setInterval(() => {
        for (const client of this.clients) client.pump();
      }, TICK_MS);
    }
    return this.port;
  }

  /** Stops accepting, ends every client connection, resolves once the server is closed. */
  async stop(): Promise<void> {
    if (this.ticker !== undefined) clearInterval(this.ticker);
    this.ticker = undefined;
    const closed = this.server.listening ? new Promise<void>((resolve) => this.server.close(() => resolve())) : Promise.resolve();
    for (const client of this.clients) client.end();
    await closed;
  }

  private accept(socket: Socket): void {
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const client = new ClientStream(socket, createCorpus(this.options.corpus ?? 'english', this.options.corpusOptions), this.options);
    this.clients.add(client);
    this.clientsServed++;
    this.options.onClient?.('connected', remote);
    socket.on('error', () => {
      // A client going away mid-write is normal for a producer; 'close' cleans up.
    });
    socket.on('close', () => {
      this.clients.delete(client);
      this.linesSent += client.sent;
      this.options.onClient?.('disconnected', remote);
    });
    client.pump();
  }
}

class ClientStream {
  sent = 0;
  private readonly socket: Socket;
  private readonly source: LineSource;
  private readonly rate: number | undefined;
  private readonly limit: number;
  private startedAt = Date.now();
  private waitingForDrain = false;
  private pumping = false;

  constructor(socket: Socket, source: LineSource, options: GeneratorServerOptions) {
    this.socket = socket;
    this.source = source;
    this.rate = options.linesPerSecond;
    this.limit = options.linesPerClient ?? Infinity;
    socket.on('drain', () => {
      this.waitingForDrain = false;
      this.pump();
    });
  }

  /** Writes the lines due now, stopping as soon as the socket asks to wait. */
  pump(): void {
    if (this.waitingForDrain || this.pumping || this.socket.destroyed || !this.socket.writable) return;
    this.pumping = true;
    try {
      let due = this.due();
      while (due > 0) {
        let chunk = '';
        let lines = 0;
        while (lines < due && chunk.length < CHUNK_BYTES) {
          chunk += this.source.nextLine() + '\n';
          lines++;
        }
        this.sent += lines;
        due -= lines;
        if (!this.socket.write(chunk)) {
          this.waitingForDrain = true;
          return;
        }
        // Unthrottled: yield after each chunk so one fast client cannot starve the event loop.
        if (this.rate === undefined && due > 0) {
          setImmediate(() => this.pump());
          return;
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  end(): void {
    this.socket.end();
    // A peer that never closes its side must not keep the process alive.
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private due(): number {
    const remaining = this.limit - this.sent;
    if (this.rate === undefined) return remaining;
    const elapsedMs = Date.now() - this.startedAt;
    let due = Math.floor((elapsedMs * this.rate) / 1000) - this.sent;
    if (due > this.rate) {
      // Behind by more than a second (the reader was slow): forgive the debt beyond one second.
      this.startedAt = Date.now() - ((this.sent + this.rate) * 1000) / this.rate;
      due = Math.floor(this.rate);
    }
    return Math.min(due, remaining);
  }
}
