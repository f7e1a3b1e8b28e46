/**
 * The life cycle shared by the streaming commands: start the context, show
 * receiver problems on stderr, hand each finished batch to the command's
 * printer (once its BatchInfo — record count, counters — is known), and stop
 * on Ctrl-C/SIGTERM (gracefully: data already received is still processed),
 * after --batches outputs, or when a --socket host never answers.
 */

import { InMemoryCheckpointStore, StreamingContext, type BatchInfo, type DStream, type ReceiverInfo } from '../../index.js';
import { FileCheckpointStore } from '../file-checkpoint-store.js';
import type { KernelsHandle } from './kernels-option.js';
import { CheckpointError, ConnectionError, SluiceError, StateDiscardError } from '../../errors.js';
import { type CliIo, EXIT_FAILURE, EXIT_NETWORK, EXIT_OK, EXIT_USAGE } from './io.js';
import type { SourceSettings } from './source-options.js';
import { operatorMessage } from './operator-message.js';
import { createUi } from '../serve/ui-option.js';
import { EXIT_INTERRUPTED, watchStopSignals } from './stop-signals.js';

export interface RunStreamOptions<T> {
  readonly io: CliIo;
  readonly settings: SourceSettings;
  readonly kernels: KernelsHandle;
  /** The command's graph on a fresh context: reads its input and returns the stream to output. */
  readonly build: (ssc: StreamingContext, onConnectionChange: (connected: boolean) => void) => { results: DStream<T>; sourceDescription: string; batchNote?: ((info: BatchInfo) => string | undefined) | undefined };
  /** True when the graph keeps state (it then needs a checkpoint store; in memory when no --checkpoint was given). */
  readonly stateful: boolean;
  /** Turns one batch's elements into what `emit` needs (runs as the batch's output job). */
  readonly collect: (elements: readonly T[], time: number) => unknown;
  /** Writes one finished batch. */
  readonly emit: (info: BatchInfo, collected: unknown) => void;
}

/** Connection state of a --socket source, fed by the receiver's onConnectionChange. */
class ConnectionWatch {
  connected = false;
  everConnected = false;
  /** The system error code of the last failed attempt (ECONNREFUSED, ENOTFOUND, ...). */
  lastFailure: string | undefined;

  readonly onChange = (connected: boolean): void => {
    this.connected = connected;
    if (connected) this.everConnected = true;
  };
}

/** Exit code for an error thrown while setting up or running a command. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof ConnectionError) return EXIT_NETWORK;
  // A Kafka broker that cannot be reached is a host unreachable too (exit 3, as for --socket), not a failure of the data.
  if (error instanceof SluiceError && error.code === 'ERR_SLUICE_KAFKA_BROKER_DOWN') return EXIT_NETWORK;
  if (error instanceof SluiceError && (error.code === 'ERR_SLUICE_INVALID_ARGUMENT' || error.code === 'ERR_SLUICE_CHECKPOINT_REQUIRED')) return EXIT_USAGE;
  return EXIT_FAILURE;
}

export async function runStream<T>(options: RunStreamOptions<T>): Promise<number> {
  const { io, settings } = options;
  const watch = new ConnectionWatch();
  const collected = new Map<number, unknown>();
  let emitted = 0;
  let exitCode = EXIT_OK;
  const limit = settings.maxBatches ?? Infinity;
  let sourceDescription = '';
  let lastReported = '';
  const ui = settings.uiPort === undefined ? undefined : createUi(settings.uiPort, settings.batchIntervalMs);

  const create = (): StreamingContext => {
    // The CLI reports receiver problems itself (onReceiverError below), in its own words.
    const ssc = new StreamingContext({ batchIntervalMs: settings.batchIntervalMs, kernels: options.kernels.kernels, logger: null });
    if (settings.checkpointDir === undefined && options.stateful) ssc.checkpoint(new InMemoryCheckpointStore());
    const built = options.build(ssc, watch.onChange);
    sourceDescription = built.sourceDescription;
    const batchNote = built.batchNote;
    built.results.foreachRDD((batch, time) => {
      const elements = batch.collect();
      ui?.results(time, elements);
      collected.set(time, options.collect(elements, time));
    });
    ssc.addStreamingListener({
      onBatchCompleted: ({ batchInfo }) => {
        const note = batchNote?.(batchInfo);
        if (note !== undefined) io.stderr(`sluice: ${note}\n`);
        // A windowed result exists only at slide times; other batches have nothing to show.
        if (!collected.has(batchInfo.batchTime)) return;
        const data = collected.get(batchInfo.batchTime);
        collected.delete(batchInfo.batchTime);
        if (batchInfo.failure !== undefined || emitted >= limit) return;
        options.emit(batchInfo, data);
        emitted++;
        if (emitted === limit) void ssc.stop();
      },
      onReceiverError: ({ receiverInfo }) => {
        const failure = systemCode(receiverInfo);
        if (failure !== undefined) watch.lastFailure = failure;
        const message = receiverMessage(receiverInfo);
        // While waiting for a server, one "nothing is listening" line is enough.
        const waiting = !watch.connected && errorCode(receiverInfo) === 'ERR_SLUICE_CONNECT';
        if (waiting && lastReported === 'waiting') return;
        lastReported = waiting ? 'waiting' : message;
        io.stderr(`sluice: ${message}\n`);
      },
    });
    return ssc;
  };

  let ssc: StreamingContext;
  if (settings.checkpointDir === undefined) {
    ssc = create();
  } else {
    // Recovery as in Spark's getOrCreate: state, source positions and the batch clock come back from the directory.
    const store = new FileCheckpointStore(settings.checkpointDir, { onFallback: (reason) => io.stderr(`sluice: ${reason}\n`) });
    // Now, not at the first checkpoint: by then a batch of input would have been read and lost.
    await store.ensureWritable();
    const recovery = settings.discardState === undefined ? {} : { discardState: settings.discardState };
    const interval = settings.checkpointIntervalMs === undefined ? {} : { checkpointIntervalMs: settings.checkpointIntervalMs };
    const createCheckpointing = (): StreamingContext => {
      const created = create();
      created.checkpoint(store, interval);
      return created;
    };
    ssc = await StreamingContext.getOrCreate(store, createCheckpointing, recovery).catch((error: unknown) => {
      throw withCliAdvice(error, settings.checkpointDir as string);
    });
  }

  let connectTimer: ReturnType<typeof setTimeout> | undefined;
  if (settings.socket !== undefined) {
    const { host, port } = settings.socket;
    connectTimer = setTimeout(() => {
      if (watch.everConnected) return;
      const unresolved = watch.lastFailure === 'ENOTFOUND' || watch.lastFailure === 'EAI_AGAIN';
      const advice = unresolved
        ? `The host name "${host}" could not be resolved (${watch.lastFailure}): check its spelling, or give an address such as 127.0.0.1.`
        : `Is the server running? Start one with \`sluice gen --port ${port}\` (or \`nc -lk ${port}\`), or wait longer with --connect-timeout.`;
      io.stderr(`sluice: could not connect to ${host}:${port} within ${settings.connectTimeoutMs} ms. ${advice}\n`);
      exitCode = EXIT_NETWORK;
      void ssc.stop();
    }, settings.connectTimeoutMs);
  }

  const signals = watchStopSignals(io, () => void ssc.stop({ graceful: true }));

  try {
    if (ui !== undefined) io.stderr(`sluice: dashboard on ${await ui.attach(ssc)}\n`);
    ssc.start();
    const checkpointing = settings.checkpointDir === undefined ? '' : `, checkpoints in ${settings.checkpointDir}`;
    io.stderr(`sluice: reading ${sourceDescription} (${options.kernels.description}), one batch every ${ssc.batchIntervalMs} ms${checkpointing}\n`);
    await Promise.race([ssc.awaitTermination(), signals.forced.then(() => void (exitCode = EXIT_INTERRUPTED))]);
  } catch (error) {
    io.stderr(`sluice: ${operatorMessage(error)}\n`);
    if (exitCode === EXIT_OK) exitCode = exitCodeFor(error);
  } finally {
    if (connectTimer !== undefined) clearTimeout(connectTimer);
    signals.unsubscribe();
    await ui?.close();
  }
  return exitCode;
}

/**
 * The engine's advice for an incompatible checkpoint speaks of code
 * (`.name(...)`, checkpoint stores); a CLI user can only change options or
 * directories, so only the sentences saying what is wrong are kept.
 */
function withCliAdvice(error: unknown, dir: string): unknown {
  if (error instanceof StateDiscardError) {
    const names = error.operators.join(',');
    return new StateDiscardError(
      error.operators,
      `The checkpoint in ${dir} holds state that this command, as given, does not keep: ${error.operators.map((n) => `'${n}'`).join(', ')}. ` +
        `Nothing was started and the checkpoint is unchanged. Run the command with the options that wrote it (e.g. --state), ` +
        `give a different --checkpoint directory, or drop that state for good with --discard-state ${names}.`,
      { cause: error },
    );
  }
  if (!(error instanceof CheckpointError) || error.code !== 'ERR_SLUICE_CHECKPOINT_INCOMPATIBLE') return error;
  const problem = operatorMessage(error);
  return new CheckpointError(
    'ERR_SLUICE_CHECKPOINT_INCOMPATIBLE',
    `${problem}\nThe checkpoint in ${dir} was written by another command or other options: run that command with the options it had, ` +
      `or give a different --checkpoint directory (or empty this one: its state is then lost).`,
    { cause: error },
  );
}

function errorCode(info: ReceiverInfo): string | undefined {
  const error = info.lastError;
  return error instanceof SluiceError ? error.code : undefined;
}

/** The Node error code behind a receiver's ConnectionError, if any. */
function systemCode(info: ReceiverInfo): string | undefined {
  const error = info.lastError;
  if (!(error instanceof ConnectionError)) return undefined;
  const code = (error.cause as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function receiverMessage(info: ReceiverInfo): string {
  return info.lastErrorMessage ?? `receiver ${info.name} reported an error`;
}
