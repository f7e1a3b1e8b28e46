/**
 * `createIngestionServer`: many clients push records over WebSocket
 * (`/ingest`), the context runs `pipeline` on them batch by batch, and each
 * batch's results go to `/results` subscribers and the dashboard (`/`), with
 * Prometheus metrics at `/metrics` (dashboard-server.ts lists the routes).
 *
 * What an ack promises is in commit-queue.ts; sequence numbers and the rate
 * limit in ingest-connection.ts; the memory bound in ingest-flow.ts; close
 * codes in close-codes.ts; who may connect in access.ts; how many may be
 * connected in connection-limit.ts.
 *
 * With `checkpointDir`, the context is recovered from (and checkpoints to)
 * that directory, and acknowledged frames are kept in a write-ahead log
 * under `<checkpointDir>/wal` until a checkpoint holds them.
 *
 * Graceful close: refuse new connections, stop reading the clients, commit
 * the frames already read, run the final batch over everything received
 * (its results still reach the subscribers), then close every client with
 * 1001.
 */

import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { DStream } from '../../engine/dstream.js';
import type { InputDStream } from '../../engine/input-dstream.js';
import { StreamingContext } from '../../engine/streaming-context.js';
import { InMemoryCheckpointStore } from '../../checkpoint/in-memory-store.js';
import type { CheckpointStore } from '../../checkpoint/store.js';
import { DEFAULT_MAX_RECORD_BYTES } from '../../kernels/record-batch.js';
import { InvalidArgumentError } from '../../errors.js';
import { FileCheckpointStore } from '../file-checkpoint-store.js';
import { RateLimiter } from '../rate-limiter.js';
import type { AccessOptions } from './access.js';
import { selectProtocol } from './access.js';
import { CLOSE_GOING_AWAY, CLOSE_INTERNAL_ERROR } from './close-codes.js';
import { CommitQueue } from './commit-queue.js';
import { ConnectionLimit, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS } from './connection-limit.js';
import { DashboardServer } from './dashboard-server.js';
import { IngestConnection, type IngestCounters, MAX_UNREAD_ACK_BYTES } from './ingest-connection.js';
import { IngestFlow } from './ingest-flow.js';
import { IngestReceiver, type WalPosition } from './ingest-receiver.js';
import { WriteAheadLog } from './write-ahead-log.js';

export const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
export const DEFAULT_MAX_PENDING_BYTES = 64 * 1024 * 1024;

/** What createIngestionServer takes: the context and pipeline, where to listen, and the limits and access rules for clients. */
export interface IngestionServerOptions extends AccessOptions {
  /** A context that has not started; the server adds the input, the pipeline and its listeners, then starts it. */
  readonly context: StreamingContext;
  /** Builds the graph on the ingested lines; its output goes to /results. */
  readonly pipeline: (lines: DStream<string>) => DStream<unknown>;
  /** Default 8080; 0 picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Checkpoint directory: recovery, checkpoints and the write-ahead log (`<dir>/wal`). */
  readonly checkpointDir?: string;
  /** Largest frame in bytes; bigger ones close the connection with 1009. Default 1 MiB. */
  readonly maxPayload?: number;
  /** Longest record kept (bytes); longer ones are dropped and counted. Default 1 MiB. */
  readonly maxLineBytes?: number;
  /** Open /ingest connections allowed in all; more are refused with HTTP 503. Default 1024. */
  readonly maxConnections?: number;
  /** Open /ingest connections allowed from one remote address; more are refused with HTTP 429. Default 64. */
  readonly maxConnectionsPerAddress?: number;
  /** Records per second each connection may send (it is paused while over); default unlimited. */
  readonly maxRatePerConnection?: number;
  /** Bytes of frames waiting for the write-ahead log before connections are paused. Default 64 MiB. */
  readonly maxPendingBytes?: number;
  /** Bytes of results that may wait for one subscriber before it is dropped (4000). Default 8 MiB. */
  readonly subscriberMaxBufferedBytes?: number;
  /** Told about problems that do not stop the server (a damaged write-ahead log, receiver errors). */
  readonly onWarning?: (message: string) => void;
}

/** A running ingestion server: its address, and close() for the graceful shutdown described above. */
export interface IngestionServer {
  /** http://host:port */
  readonly url: string;
  readonly port: number;
  readonly context: StreamingContext;
  /** The HTTP side: its `registry` is behind /metrics, its `feed` behind /results. */
  readonly dashboard: DashboardServer;
  /** Resolves when the context has terminated (after close(), or a failed batch: then it rejects). */
  readonly terminated: Promise<boolean>;
  /** Graceful by default (see the module comment). */
  close(options?: { graceful?: boolean }): Promise<void>;
}

function checkPositive(name: string, value: number | undefined, fallback: number): number {
  const result = value ?? fallback;
  if (!Number.isSafeInteger(result) || result <= 0) throw new InvalidArgumentError(`${name} must be a positive whole number, got ${String(value)}`);
  return result;
}

/** Tells `onWritten` after every checkpoint the inner store made durable. */
function watchedStore(inner: CheckpointStore, onWritten: () => void): CheckpointStore {
  return {
    write: async (data) => {
      await inner.write(data);
      onWritten();
    },
    read: () => inner.read(),
    describe: () => inner.describe(),
  };
}

/** Starts the WebSocket ingestion server (see the top of this file); resolves once it listens. */
export async function createIngestionServer(options: IngestionServerOptions): Promise<IngestionServer> {
  const maxPayload = checkPositive('maxPayload', options.maxPayload, DEFAULT_MAX_PAYLOAD);
  const maxLineBytes = checkPositive('maxLineBytes', options.maxLineBytes, DEFAULT_MAX_RECORD_BYTES);
  const maxPendingBytes = checkPositive('maxPendingBytes', options.maxPendingBytes, DEFAULT_MAX_PENDING_BYTES);
  const limit = new ConnectionLimit(
    checkPositive('maxConnections', options.maxConnections, DEFAULT_MAX_CONNECTIONS),
    checkPositive('maxConnectionsPerAddress', options.maxConnectionsPerAddress, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS),
  );
  if (options.maxRatePerConnection !== undefined) new RateLimiter(options.maxRatePerConnection); // validates
  const warn = options.onWarning ?? (() => {});
  const context = options.context;
  const receiver = new IngestReceiver();
  const counters: IngestCounters = { frames: 0, bytes: 0, records: 0, dropped: 0, throttled: 0, unreadPauses: 0 };
  const connections = new Map<WebSocket, IngestConnection>();
  let input: InputDStream<string> | undefined;
  let dashboard: DashboardServer | undefined;

  // Checkpoints become durable → the WAL before the previous durable position can go (the store keeps that one as its backup).
  let checkpointWritten = false;
  const durableOffsets: number[] = [];
  const build = (): StreamingContext => {
    const lines = context.receiverStream(receiver, { maxRecordBytes: maxLineBytes });
    input = lines as InputDStream<string>;
    options.pipeline(lines).foreachRDD((batch, time) => dashboard?.feed.setResults(time, batch.collect()));
    return context;
  };

  let wal: WriteAheadLog | undefined;
  if (options.checkpointDir === undefined) {
    build();
    if (context.checkpointStore === undefined && context.graph.streams().some((s) => s.requiresCheckpoint)) context.checkpoint(new InMemoryCheckpointStore());
  } else {
    const files = new FileCheckpointStore(options.checkpointDir, { onFallback: warn });
    await files.ensureWritable();
    const store = watchedStore(files, () => (checkpointWritten = true));
    await StreamingContext.getOrCreate(store, () => {
      context.checkpoint(store);
      return build();
    });
    wal = await WriteAheadLog.open(join(options.checkpointDir, 'wal'));
    const from = receiver.restoredOffset ?? wal.startOffset;
    const replay = await wal.readFrom(from);
    if (replay.problem !== undefined) warn(`Recovery: ${replay.problem}.`);
    receiver.replayOnStart(replay.payloads, wal.endOffset);
  }

  let ingestBroken = false;
  const queue = new CommitQueue(
    (payload, walEnd) => receiver.storeFrame(payload, walEnd),
    wal,
    (error) => {
      ingestBroken = true;
      warn(`${(error as Error).message} Ingestion is refused from now on.`);
      for (const socket of connections.keys()) socket.close(CLOSE_INTERNAL_ERROR, 'write-ahead log failed');
    },
    // Frames that waited for the WAL are in the receiver now: connections paused for them may go on.
    () => flow.check(),
  );
  const flow = new IngestFlow(receiver, queue, maxPendingBytes);
  const ingest = new WebSocketServer({ noServer: true, maxPayload, handleProtocols: selectProtocol, perMessageDeflate: false });

  dashboard = new DashboardServer({
    batchIntervalMs: context.batchIntervalMs,
    access: options,
    ...(options.subscriberMaxBufferedBytes === undefined ? {} : { maxBufferedBytes: options.subscriberMaxBufferedBytes }),
    status: () => ({
      ingestConnections: connections.size,
      recordsIn: counters.records,
      receiverBufferBytes: receiver.bufferedBytes(),
      pausedConnections: flow.pausedConnections,
    }),
    upgrades: {
      '/ingest': (req, socket, head) => {
        if (ingestBroken) {
          socket.destroy();
          return undefined;
        }
        const refusal = limit.admit(socket, req.socket.remoteAddress ?? 'unknown');
        if (refusal !== undefined) return refusal;
        ingest.handleUpgrade(req, socket, head, (ws) => {
          const limiter = options.maxRatePerConnection === undefined ? undefined : new RateLimiter(options.maxRatePerConnection);
          connections.set(ws, new IngestConnection(ws, queue, flow, limiter, maxLineBytes, counters));
          ws.on('close', () => connections.delete(ws));
          ws.on('error', () => connections.delete(ws));
        });
        return undefined;
      },
    },
  });
  const registry = dashboard.registry;
  registry.gauge('sluice_ingest_connections', 'Open /ingest connections.', () => connections.size);
  registry.counter('sluice_ingest_connections_refused_total', 'Upgrades to /ingest refused by --max-connections (503) or --max-connections-per-ip (429); also in sluice_refused_upgrades_total.', () => limit.refused);
  registry.counter('sluice_records_in_total', 'Records acknowledged to /ingest clients (stored in the receiver buffer).', () => counters.records);
  registry.counter('sluice_bytes_in_total', 'Frame bytes received on /ingest.', () => counters.bytes);
  registry.counter('sluice_frames_in_total', 'Frames received on /ingest.', () => counters.frames);
  registry.counter('sluice_dropped_records_total', 'Records dropped on arrival: lines over the size limit, or not valid UTF-8 in a binary frame.', () => counters.dropped);
  registry.gauge('sluice_receiver_buffer_bytes', 'Bytes received and not yet processed (receiver buffer use).', () => receiver.bufferedBytes());
  registry.gauge('sluice_receiver_buffer_limit_bytes', 'The receiver buffer bound (receiverBufferBytes).', () => context.receiverBufferBytes);
  registry.gauge('sluice_wal_pending_bytes', 'Bytes of frames waiting for the write-ahead log.', () => queue.pendingBytes);
  registry.gauge('sluice_ingest_paused_connections', 'Connections paused because the server buffers are full.', () => flow.pausedConnections);
  registry.counter('sluice_ingest_backpressure_pauses_total', 'Times a connection was paused because the server buffers were full.', () => flow.pauseCount);
  registry.counter('sluice_ingest_rate_limited_total', 'Times a connection was paused by its rate limit.', () => counters.throttled);
  registry.counter('sluice_ingest_unread_acks_pauses_total', `Times a connection was no longer read because it left more than ${MAX_UNREAD_ACK_BYTES} bytes of acks unread.`, () => counters.unreadPauses);

  for (const listener of dashboard.listeners) context.addStreamingListener(listener);
  context.addStreamingListener({
    onBatchCompleted: ({ batchInfo }) => {
      if (!checkpointWritten || batchInfo.failure !== undefined || wal === undefined) return;
      checkpointWritten = false;
      const position = input?.positionAfter(batchInfo.batchTime) as WalPosition | undefined;
      if (position === undefined) return;
      durableOffsets.push(position.walOffset);
      if (durableOffsets.length > 2) durableOffsets.shift();
      if (durableOffsets.length === 2) void wal.truncateBefore(durableOffsets[0] as number).catch((error: unknown) => warn(`Could not delete old write-ahead log segments: ${(error as Error).message}`));
    },
    onReceiverError: ({ receiverInfo }) => warn(receiverInfo.lastErrorMessage ?? 'the ingestion receiver reported an error'),
  });
  context.start();
  const terminated = context.awaitTermination();
  terminated.catch(() => {});
  const host = options.host ?? '127.0.0.1';
  let port: number;
  try {
    port = await dashboard.listen(options.port ?? 8080, host);
  } catch (error) {
    await context.stop();
    throw error;
  }

  let closing: Promise<void> | undefined;
  const server: IngestionServer = {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    context,
    dashboard,
    terminated,
    close: (closeOptions = {}) => {
      closing ??= (async () => {
        const board = dashboard as DashboardServer;
        board.stopAccepting();
        for (const connection of connections.values()) connection.stopReading();
        if (closeOptions.graceful !== false) {
          // Frames already read commit (and are acknowledged) before the receiver stops.
          await new Promise((resolve) => setImmediate(resolve));
          await queue.drained();
          await context.stop({ graceful: true });
        } else {
          await context.stop();
        }
        // Read again so the closing handshake completes; frames still arriving are not stored (the receiver stopped), so get no ack.
        for (const socket of connections.keys()) {
          socket.resume();
          socket.close(CLOSE_GOING_AWAY, 'server shutting down');
        }
        await board.close(CLOSE_GOING_AWAY, 'server shutting down');
        await new Promise<void>((resolve) => ingest.close(() => resolve()));
        await wal?.close();
      })();
      return closing;
    },
  };
  // A failed batch stops the context: stop serving too.
  void terminated.then(
    () => undefined,
    () => server.close({ graceful: false }),
  );
  return server;
}
