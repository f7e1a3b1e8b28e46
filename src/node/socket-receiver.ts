/**
 * A TCP client receiver, like Spark's socketTextStream: connects to a server
 * that writes '\n'-terminated text (e.g. `nc -lk 9999` or `sluice gen`), and
 * stores each line as UTF-8 bytes, never decoding it.
 *
 * Unlike Spark, which restarts the whole receiver after a fixed 2 s delay,
 * this one reconnects by itself with jittered exponential backoff, both when
 * the server is not up yet and when it goes away, and keeps doing so until the
 * context stops it. Every lost or refused connection is reported through
 * `reportError` (listeners see it; the stream keeps running).
 *
 * A line cut off by a connection reset is discarded (its rest will never
 * come); a final line without '\n' before a clean close (FIN) is kept.
 *
 * Reading pauses (so TCP holds the sender back) while the rate limit holds
 * lines in its queue, and while the engine's buffer of received-but-
 * unprocessed data is full (Receiver.isBufferFull); it resumes once both
 * clear. At stop, lines the rate limit still holds are stored (a graceful
 * stop processes them); an unfinished line is discarded.
 */

import { connect, type Socket } from 'node:net';
import { Receiver } from '../receivers/receiver.js';
import { ConnectionError, InvalidArgumentError } from '../errors.js';
import { describeValue, requireNonEmptyString } from '../arguments.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { LineIntake, type LineIntakeOptions, type LineIntakeStats, type RateControlled } from './line-intake.js';

/** Options of socketTextStream / SocketReceiver: reconnect backoff, line limits, rate. */
export interface SocketReceiverOptions extends BackoffOptions, LineIntakeOptions {
  /** Called on every connect and disconnect (the CLI uses it to give up on a host that never answers). */
  readonly onConnectionChange?: (connected: boolean) => void;
}

/** Counters of a SocketReceiver. */
export interface SocketReceiverStats extends LineIntakeStats {
  readonly connections: number;
  readonly bytesReceived: number;
}

/** The receiver behind socketTextStream (see the top of this file). */
export class SocketReceiver extends Receiver implements RateControlled {
  readonly hostname: string;
  readonly port: number;
  private readonly options: SocketReceiverOptions;
  private readonly backoff: Backoff;
  private socket: Socket | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly intake: LineIntake;
  private running = false;
  private connected = false;
  /** A whenBufferHasRoom() wait is under way (one at a time). */
  private awaitingRoom = false;
  private connections = 0;
  private bytesReceived = 0;

  constructor(host: string, port: number, options: SocketReceiverOptions = {}) {
    super(`SocketReceiver(${String(host)}:${String(port)})`);
    requireNonEmptyString('socketTextStream', 'the host', host, '"127.0.0.1"');
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new InvalidArgumentError(`socketTextStream port must be an integer in 1..65535, got ${describeValue(port)}`);
    }
    this.hostname = host;
    this.port = port;
    this.options = options;
    this.backoff = new Backoff(options);
    this.intake = new LineIntake(this, `${host}:${port}`, options);
    // Over the rate limit: stop reading, so TCP flow control slows the sender down.
    this.intake.setFlowControl({ pause: () => this.applyFlow(), resume: () => this.applyFlow() });
  }

  get maxRatePerSecond(): number | undefined {
    return this.intake.maxRatePerSecond;
  }

  setMaxRate(ratePerSecond: number | undefined): void {
    this.intake.setMaxRate(ratePerSecond);
  }

  get isConnected(): boolean {
    return this.connected;
  }

  get stats(): SocketReceiverStats {
    return { connections: this.connections, bytesReceived: this.bytesReceived, ...this.intake.stats };
  }

  onStart(): void {
    this.running = true;
    this.connect();
  }

  onStop(): void {
    this.running = false;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
    this.guarded(() => this.intake.storeQueued());
    this.intake.clear();
    this.intake.reportPending();
    this.setConnected(false);
  }

  private connect(): void {
    const socket = connect({ host: this.hostname, port: this.port });
    this.socket = socket;
    this.applyFlow();
    let lostReported = false;
    socket.on('connect', () => {
      if (socket !== this.socket) return;
      this.connections++;
      this.setConnected(true);
      // After a failure the operator was told "retrying"; say when it worked (Spark logs receiver restarts likewise).
      if (this.connections > 1 || this.backoff.attempts > 0) this.logInfo(`connected to ${this.hostname}:${this.port} again`);
    });
    socket.on('data', (chunk: Buffer) => {
      if (socket !== this.socket || !this.running) return;
      this.bytesReceived += chunk.length;
      // Only data proves the server works: one that accepts and closes at once keeps backing off.
      this.backoff.reset();
      this.guarded(() => this.intake.push(chunk));
      if (this.isBufferFull()) this.applyFlow();
    });
    socket.on('end', () => {
      if (socket === this.socket && this.running) this.guarded(() => this.intake.flush());
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (socket !== this.socket || !this.running) return;
      this.intake.discardPartialLine();
      lostReported = true;
      const message = this.describeFailure(error);
      this.reportError(message, new ConnectionError(this.connected ? 'ERR_SLUICE_CONNECTION_LOST' : 'ERR_SLUICE_CONNECT', message, { cause: error }));
    });
    socket.on('close', () => {
      if (socket !== this.socket || !this.running) return;
      const wasConnected = this.connected;
      this.setConnected(false);
      this.socket = undefined;
      this.intake.discardPartialLine();
      const delay = this.backoff.nextDelayMs();
      if (!lostReported && wasConnected) {
        const message = `Server ${this.hostname}:${this.port} closed the connection; reconnecting in ${delay} ms.`;
        this.reportError(message, new ConnectionError('ERR_SLUICE_CONNECTION_LOST', message));
      }
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = undefined;
        if (this.running) this.connect();
      }, delay);
    });
  }

  /** Reads while nothing holds input back: neither the rate limit's queue nor a full engine buffer. */
  private applyFlow(): void {
    const socket = this.socket;
    if (socket === undefined || !this.running) return;
    if (this.isBufferFull()) {
      socket.pause();
      this.waitForRoom();
    } else if (this.intake.queuedLines > 0) {
      socket.pause();
    } else {
      socket.resume();
    }
  }

  private waitForRoom(): void {
    if (this.awaitingRoom) return;
    this.awaitingRoom = true;
    void this.whenBufferHasRoom().then(() => {
      this.awaitingRoom = false;
      this.applyFlow();
    });
  }

  /** A throwing store() must not become an uncaught exception in a socket callback. */
  private guarded(store: () => void): void {
    try {
      store();
    } catch (error) {
      this.reportError(`Storing data from ${this.hostname}:${this.port} failed; the rest of this chunk is lost.`, error);
    }
  }

  private describeFailure(error: NodeJS.ErrnoException): string {
    const where = `${this.hostname}:${this.port}`;
    const retry = `retrying with backoff (attempt ${this.backoff.attempts + 1})`;
    switch (error.code) {
      case 'ECONNREFUSED':
        return `Nothing is listening on ${where} (connection refused); ${retry}. Start a server there, e.g. \`sluice gen --port ${this.port}\` or \`nc -lk ${this.port}\`.`;
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return `Host name "${this.hostname}" could not be resolved (${error.code}); ${retry}.`;
      case 'ECONNRESET':
      case 'EPIPE':
        return `Connection to ${where} was reset (${error.code}); the unfinished line is discarded, ${retry}.`;
      default:
        return `Connection to ${where} failed: ${error.message}; ${retry}.`;
    }
  }

  private setConnected(connected: boolean): void {
    if (this.connected === connected) return;
    this.connected = connected;
    this.options.onConnectionChange?.(connected);
  }
}
