/**
 * `sluice serve`: the WebSocket ingestion server as a command. Runs until
 * Ctrl-C / SIGTERM, then closes gracefully (final batch, clients closed with
 * 1001); a second signal quits at once. The token may come from the
 * environment (SLUICE_TOKEN) so it does not show in the process list.
 */

import { StreamingContext } from '../../engine/streaming-context.js';
import { InvalidArgumentError } from '../../errors.js';
import { type OptionSpec, parseDuration, parseInteger, parsePort, parseRate } from '../cli/args.js';
import { defineCommand } from '../cli/command.js';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from '../cli/io.js';
import { EXIT_INTERRUPTED, watchStopSignals } from '../cli/stop-signals.js';
import { WORKERS_OPTION, openKernels, workersOf } from '../cli/kernels-option.js';
import { DEFAULT_MAX_PAYLOAD, createIngestionServer } from './ingestion-server.js';
import { DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS } from './connection-limit.js';
import { loadPipeline } from './pipelines.js';

const SPECS: readonly OptionSpec[] = [
  { name: 'port', type: 'string', value: 'PORT', help: 'Port for HTTP and WebSocket (default 8080; 0 picks a free one, printed at start).' },
  { name: 'host', type: 'string', value: 'HOST', help: 'Interface to listen on (default 127.0.0.1; 0.0.0.0 for other machines).' },
  { name: 'batch', type: 'string', value: 'DURATION', help: 'Batch interval, e.g. 500ms, 1s (default 1s).' },
  { name: 'pipeline', type: 'string', value: 'NAME|PATH', help: 'wordcount (default), orders, or a module exporting (lines: DStream<string>) => DStream.' },
  WORKERS_OPTION,
  { name: 'checkpoint', type: 'string', value: 'DIR', help: 'Checkpoints and a write-ahead log in DIR: acknowledged records survive a crash; a restart resumes.' },
  { name: 'token', type: 'string', value: 'T', help: 'Require this bearer token (header or subprotocol bearer.T); also read from SLUICE_TOKEN.' },
  { name: 'max-payload', type: 'string', value: 'BYTES', help: `Largest frame; bigger ones close the connection with 1009 (default ${DEFAULT_MAX_PAYLOAD}).` },
  { name: 'allow-origin', type: 'string', value: 'O[,O…]', help: 'Browser origins allowed to connect, comma-separated, or * (default: pages of this server only).' },
  { name: 'max-rate', type: 'string', value: 'N/s', help: 'Records per second each connection may send; a faster client is paused (default unlimited).' },
  { name: 'max-connections', type: 'string', value: 'N', help: `Open ingest connections allowed; more are refused with HTTP 503 (default ${DEFAULT_MAX_CONNECTIONS}).` },
  { name: 'max-connections-per-ip', type: 'string', value: 'N', help: `Open ingest connections allowed from one address; more are refused with HTTP 429 (default ${DEFAULT_MAX_CONNECTIONS_PER_ADDRESS}).` },
  { name: 'max-line-bytes', type: 'string', value: 'N', help: 'Longer records are dropped and counted (default 1048576).' },
  { name: 'buffer', type: 'string', value: 'BYTES', help: 'Received-but-unprocessed bytes held before clients are paused (default 268435456).' },
];

export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'WebSocket ingestion server: clients push records, each batch\'s results go to subscribers and a live dashboard.',
  description:
    'Accepts records on ws://HOST:PORT/ingest (text or binary frames of \\n-separated lines; each frame is\n' +
    'acknowledged with {"type":"ack","seq":N}), runs the pipeline per batch, pushes the results to\n' +
    'ws://HOST:PORT/results subscribers, and serves a live dashboard at http://HOST:PORT/ and Prometheus\n' +
    'metrics at /metrics. Without --checkpoint an ack means the records are in memory; with it, that\n' +
    'they are in an fsynced write-ahead log and survive a crash.',
  options: SPECS,
  examples: '  sluice serve --port 8080 --pipeline wordcount\n  sluice serve --pipeline orders --checkpoint ./ckpt --token s3cret',
  run: (args, io) => {
    const text = (name: string): string | undefined => args.values.get(name);
    const maxPayload = text('max-payload');
    const maxRate = text('max-rate');
    const maxLine = text('max-line-bytes');
    const maxConnections = text('max-connections');
    const maxPerIp = text('max-connections-per-ip');
    const buffer = text('buffer');
    const origins = text('allow-origin');
    const token = text('token') ?? process.env['SLUICE_TOKEN'];
    if (token !== undefined && !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(token)) {
      throw new InvalidArgumentError('sluice serve: --token may hold only letters, digits and !#$%&\'*+-.^_`|~ (it travels as a WebSocket subprotocol).');
    }
    const checkpoint = text('checkpoint');
    return runServe(io, {
      port: text('port') === undefined ? 8080 : parsePort('port', text('port') as string, true),
      host: text('host') ?? '127.0.0.1',
      batchIntervalMs: text('batch') === undefined ? 1000 : parseDuration('batch', text('batch') as string),
      pipeline: text('pipeline') ?? 'wordcount',
      workers: workersOf(args),
      ...(checkpoint === undefined ? {} : { checkpointDir: checkpoint }),
      ...(token === undefined ? {} : { token }),
      ...(maxPayload === undefined ? {} : { maxPayload: parseInteger('max-payload', maxPayload, 1, 0x3fffffff) }),
      ...(maxRate === undefined ? {} : { maxRatePerConnection: parseRate('max-rate', maxRate) }),
      ...(maxConnections === undefined ? {} : { maxConnections: parseInteger('max-connections', maxConnections, 1) }),
      ...(maxPerIp === undefined ? {} : { maxConnectionsPerAddress: parseInteger('max-connections-per-ip', maxPerIp, 1) }),
      ...(maxLine === undefined ? {} : { maxLineBytes: parseInteger('max-line-bytes', maxLine, 1, 0x3fffffff) }),
      ...(buffer === undefined ? {} : { receiverBufferBytes: parseInteger('buffer', buffer, 1) }),
      ...(origins === undefined ? {} : { allowOrigins: origins.split(',').map((o) => o.trim()).filter((o) => o.length > 0) }),
    });
  },
});

interface ServeSettings {
  readonly port: number;
  readonly host: string;
  readonly batchIntervalMs: number;
  readonly pipeline: string;
  readonly workers: number;
  readonly checkpointDir?: string;
  readonly token?: string;
  readonly maxPayload?: number;
  readonly maxRatePerConnection?: number;
  readonly maxLineBytes?: number;
  readonly maxConnections?: number;
  readonly maxConnectionsPerAddress?: number;
  readonly receiverBufferBytes?: number;
  readonly allowOrigins?: string[];
}

async function runServe(io: CliIo, settings: ServeSettings): Promise<number> {
  const pipeline = await loadPipeline(settings.pipeline);
  const kernels = await openKernels(settings.workers);
  try {
    const context = new StreamingContext({
      batchIntervalMs: settings.batchIntervalMs,
      kernels: kernels.kernels,
      output: (line) => io.stdout(`${line}\n`),
      // The server reports receiver errors and a failed batch on stderr itself (onWarning, the exit message).
      logger: null,
      ...(settings.receiverBufferBytes === undefined ? {} : { receiverBufferBytes: settings.receiverBufferBytes }),
    });
    const { port: _port, workers: _workers, pipeline: _pipeline, receiverBufferBytes: _buffer, batchIntervalMs: _interval, ...rest } = settings;
    const server = await createIngestionServer({ ...rest, port: settings.port, context, pipeline, onWarning: (message) => io.stderr(`sluice: ${message}\n`) });
    const ws = server.url.replace(/^http/, 'ws');
    const durability = settings.checkpointDir === undefined ? 'acks mean "in memory"' : `acks mean "in the write-ahead log in ${settings.checkpointDir}"`;
    io.stderr(
      `sluice: serving ${settings.pipeline} on ${server.url} (${kernels.description}, one batch every ${settings.batchIntervalMs} ms, ${durability})\n` +
        `sluice: ingest ${ws}/ingest · results ${ws}/results · dashboard ${server.url}/ · metrics ${server.url}/metrics\n`,
    );
    let exitCode = EXIT_OK;
    const signals = watchStopSignals(io, () => void server.close({ graceful: true }));
    try {
      await Promise.race([server.terminated.then(() => server.close()), signals.forced.then(() => void (exitCode = EXIT_INTERRUPTED))]);
    } catch (error) {
      io.stderr(`sluice: ${(error as Error).message}\n`);
      exitCode = EXIT_FAILURE;
    } finally {
      signals.unsubscribe();
    }
    return exitCode;
  } finally {
    await kernels.close();
  }
}
