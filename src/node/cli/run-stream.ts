/**
 * The life cycle shared by the streaming commands: start the context, show
 * receiver problems on stderr, hand each finished batch to the command's
 * printer (once its BatchInfo — record count, counters — is known), and stop
 * on Ctrl-C/SIGTERM (gracefully: data already received is still processed),
 * after --batches outputs, or when a --socket host never answers.
 */

import type { DStream } from '../../engine/dstream.js';
import type { BatchInfo, ReceiverInfo } from '../../engine/listener.js';
import type { StreamingContext } from '../../engine/streaming-context.js';
import { ConnectionError, SluiceError } from '../../errors.js';
import { type CliIo, EXIT_FAILURE, EXIT_NETWORK, EXIT_OK, EXIT_USAGE } from './io.js';
import type { SourceSettings } from './source-options.js';

export interface RunStreamOptions<T> {
  readonly io: CliIo;
  readonly ssc: StreamingContext;
  readonly settings: SourceSettings;
  readonly sourceDescription: string;
  /** The stream whose batches are output. */
  readonly results: DStream<T>;
  /** Turns one batch's elements into what `emit` needs (runs as the batch's output job). */
  readonly collect: (elements: readonly T[], time: number) => unknown;
  /** Writes one finished batch. */
  readonly emit: (info: BatchInfo, collected: unknown) => void;
}

/** Connection state of a --socket source, fed by the receiver's onConnectionChange. */
export class ConnectionWatch {
  connected = false;
  everConnected = false;

  readonly onChange = (connected: boolean): void => {
    this.connected = connected;
    if (connected) this.everConnected = true;
  };
}

/** Exit code for an error thrown while setting up or running a command. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof ConnectionError) return EXIT_NETWORK;
  if (error instanceof SluiceError && (error.code === 'ERR_SLUICE_INVALID_ARGUMENT' || error.code === 'ERR_SLUICE_CHECKPOINT_REQUIRED')) return EXIT_USAGE;
  return EXIT_FAILURE;
}

export async function runStream<T>(options: RunStreamOptions<T>, watch?: ConnectionWatch): Promise<number> {
  const { io, ssc, settings } = options;
  const collected = new Map<number, unknown>();
  let emitted = 0;
  let exitCode = EXIT_OK;
  const limit = settings.maxBatches ?? Infinity;

  options.results.foreachRDD((batch, time) => {
    collected.set(time, options.collect(batch.collect(), time));
  });

  let lastReported = '';
  ssc.addStreamingListener({
    onBatchCompleted: ({ batchInfo }) => {
      const data = collected.get(batchInfo.batchTime);
      collected.delete(batchInfo.batchTime);
      if (batchInfo.failure !== undefined || emitted >= limit) return;
      options.emit(batchInfo, data);
      emitted++;
      if (emitted === limit) void ssc.stop();
    },
    onReceiverError: ({ receiverInfo }) => {
      const message = receiverMessage(receiverInfo);
      // While waiting for a server, one "nothing is listening" line is enough.
      const waiting = watch !== undefined && !watch.connected && errorCode(receiverInfo) === 'ERR_SLUICE_CONNECT';
      if (waiting && lastReported === 'waiting') return;
      lastReported = waiting ? 'waiting' : message;
      io.stderr(`sluice: ${message}\n`);
    },
  });

  let connectTimer: ReturnType<typeof setTimeout> | undefined;
  if (watch !== undefined && settings.socket !== undefined) {
    const { host, port } = settings.socket;
    connectTimer = setTimeout(() => {
      if (watch.everConnected) return;
      io.stderr(
        `sluice: could not connect to ${host}:${port} within ${settings.connectTimeoutMs} ms. Is the server running? ` +
          `Start one with \`sluice gen --port ${port}\` (or \`nc -lk ${port}\`), or wait longer with --connect-timeout.\n`,
      );
      exitCode = EXIT_NETWORK;
      void ssc.stop();
    }, settings.connectTimeoutMs);
  }

  let signals = 0;
  let quitNow: () => void = () => {};
  const forced = new Promise<void>((resolve) => (quitNow = resolve));
  const unsubscribe = io.onSignal((signal) => {
    signals++;
    if (signals === 1) {
      io.stderr(`sluice: ${signal} received, finishing the data already received (send it again to quit at once)\n`);
      void ssc.stop({ graceful: true });
    } else {
      // A graceful stop is already under way and cannot be turned into a hard one: stop waiting for it.
      exitCode = 130;
      quitNow();
    }
  });

  try {
    ssc.start();
    io.stderr(`sluice: reading ${options.sourceDescription}, one batch every ${ssc.batchIntervalMs} ms\n`);
    await Promise.race([ssc.awaitTermination(), forced]);
  } catch (error) {
    io.stderr(`sluice: ${(error as Error).message}\n`);
    if (exitCode === EXIT_OK) exitCode = exitCodeFor(error);
  } finally {
    if (connectTimer !== undefined) clearTimeout(connectTimer);
    unsubscribe();
  }
  return exitCode;
}

function errorCode(info: ReceiverInfo): string | undefined {
  const error = info.lastError;
  return error instanceof SluiceError ? error.code : undefined;
}

function receiverMessage(info: ReceiverInfo): string {
  return info.lastErrorMessage ?? `receiver ${info.name} reported an error`;
}
