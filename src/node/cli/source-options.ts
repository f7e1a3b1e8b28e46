/**
 * The options every streaming command shares (where lines come from, batch
 * interval, how long to run) and the input stream they describe.
 */

import { accessSync, constants, existsSync, statSync } from 'node:fs';
import type { DStream } from '../../engine/dstream.js';
import type { StreamingContext } from '../../engine/streaming-context.js';
import { InvalidArgumentError } from '../../errors.js';
import { resolve } from 'node:path';
import { socketTextStream, textFileStream } from '../streams.js';
import { kafkaDirectStream } from '../kafka/direct-stream.js';
import { kafkaValues } from '../kafka/kafka-values.js';
import { toKafka } from '../kafka/to-kafka.js';
import { type OptionSpec, type ParsedArgs, parseBrokers, parseDuration, parseHostPort, parseInteger, parseRate } from './args.js';
import { UI_OPTION, uiPortOf } from '../serve/ui-option.js';
import { type ScaleOutSource, scaleOutSource } from './scale-out-source.js';
import type { BatchInfo } from '../../engine/listener.js';

const KAFKA_OPTIONS: readonly OptionSpec[] = [
  { name: 'kafka', type: 'string', value: 'BROKERS', help: 'Read record values as lines from Kafka (direct stream), e.g. 127.0.0.1:9092; needs --topic.' },
  { name: 'topic', type: 'string', value: 'T[,T...]', help: 'With --kafka: the topic(s) to read.' },
  { name: 'group', type: 'string', value: 'G', help: 'With --kafka: the consumer group whose offsets are committed after each batch (default sluice-<command>).' },
  { name: 'starting-offsets', type: 'string', value: 'WHERE', help: 'With --kafka: committed (default; a new group starts at the beginning), earliest or latest.' },
  { name: 'max-rate-per-partition', type: 'string', value: 'N', help: 'With --kafka: read at most N records per second per partition.' },
  { name: 'to-topic', type: 'string', value: 'OUT', help: 'With --kafka: also write each batch\'s results to topic OUT (key = word/province, value = count/total).' },
  { name: 'exactly-once', type: 'boolean', help: 'With --to-topic: write results and consumed offsets in one Kafka transaction per batch.' },
  { name: 'session-timeout', type: 'string', value: 'DURATION', help: 'With --kafka and running state (scale-out): how long the group waits for a silent process before moving its partitions (default 10s; the broker\'s minimum is usually 6s).' },
];
const MIN_SESSION_TIMEOUT_MS = 1000;
/** A single setTimeout cannot wait longer (a longer one fires at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const SOURCE_OPTIONS: readonly OptionSpec[] = [
  { name: 'socket', type: 'string', value: 'HOST:PORT', help: 'Read lines from a TCP server (e.g. `sluice gen` or `nc -lk 9999`); reconnects when it goes away.' },
  { name: 'dir', type: 'string', value: 'PATH', help: 'Read the files that appear in a directory (write elsewhere, then rename into it).' },
  { name: 'include-existing', type: 'boolean', help: 'With --dir: also read the files already there at start.' },
  { name: 'batch', type: 'string', value: 'DURATION', help: 'Batch interval, e.g. 500ms, 1s (default 1s).' },
  { name: 'batches', type: 'string', value: 'N', help: 'Stop after N batches have been output (default: run until Ctrl-C).' },
  { name: 'connect-timeout', type: 'string', value: 'DURATION', help: 'With --socket: give up (exit 3) if no connection was made within this time (default 10s).' },
  { name: 'max-line-bytes', type: 'string', value: 'N', help: 'Longer lines are dropped and counted (default 1048576).' },
  { name: 'invalid-utf8', type: 'string', value: 'keep|drop', help: 'With --socket or --dir: lines that are not valid UTF-8 are kept, read with U+FFFD as Spark does (keep, the default), or dropped (drop); either way counted.' },
  { name: 'max-rate', type: 'string', value: 'N/s', help: 'Read at most N lines per second (the sender is held back, nothing is dropped).' },
  { name: 'checkpoint', type: 'string', value: 'DIR', help: 'Checkpoint state and source positions to DIR (see --checkpoint-interval); a restart with the same DIR resumes there.' },
  { name: 'checkpoint-interval', type: 'string', value: 'DURATION', help: 'With --checkpoint: how often to write one, a multiple of --batch (default max(--batch, 10s), as Spark); a restart re-reads the files after it.' },
  { name: 'discard-state', type: 'string', value: 'NAME[,NAME]', help: "With --checkpoint: let this run drop the checkpoint's state NAME, which the command as given no longer keeps (otherwise such a restart is refused)." },
  { name: 'backpressure', type: 'boolean', help: 'Adapt the read rate to the processing speed (PID estimator, as Spark), never above --max-rate.' },
  UI_OPTION,
  ...KAFKA_OPTIONS,
];

export interface SourceSettings {
  readonly batchIntervalMs: number;
  readonly maxBatches: number | undefined;
  readonly connectTimeoutMs: number;
  readonly socket?: { host: string; port: number };
  readonly dir?: string;
  readonly includeExisting: boolean;
  readonly maxLineBytes: number | undefined;
  /** --invalid-utf8 (socket and directory sources). */
  readonly invalidUtf8?: 'keep' | 'drop';
  readonly maxRatePerSecond?: number;
  readonly backpressure?: boolean;
  readonly checkpointDir?: string;
  /** --checkpoint-interval in ms (undefined: the engine's default). */
  readonly checkpointIntervalMs?: number;
  /** --discard-state: checkpointed state this run may drop. */
  readonly discardState?: readonly string[];
  /** --ui: the dashboard's port. */
  readonly uiPort?: number;
  readonly kafka?: KafkaSettings;
}

export interface KafkaSettings {
  readonly brokers: string;
  readonly topics: readonly string[];
  readonly groupId: string;
  readonly startingOffsets: 'committed' | 'earliest' | 'latest';
  readonly maxRatePerPartition?: number;
  readonly toTopic?: string;
  readonly exactlyOnce: boolean;
  /** --session-timeout, for scale-out. */
  readonly sessionTimeoutMs?: number;
}

function kafkaSettings(command: string, args: ParsedArgs): KafkaSettings | undefined {
  const brokers = args.values.get('kafka');
  const kafkaOnly = ['topic', 'group', 'starting-offsets', 'max-rate-per-partition', 'to-topic', 'session-timeout'].filter((flag) => args.values.has(flag));
  if (brokers === undefined) {
    const flags = [...kafkaOnly, ...(args.flags.has('exactly-once') ? ['exactly-once'] : [])];
    if (flags.length > 0) throw new InvalidArgumentError(`sluice ${command}: --${flags[0]} only applies to --kafka BROKERS.`);
    return undefined;
  }
  parseBrokers('kafka', brokers);
  const topics = (args.values.get('topic') ?? '').split(',').filter((t) => t !== '');
  if (topics.length === 0) throw new InvalidArgumentError(`sluice ${command}: --kafka needs --topic NAME (the topic to read).`);
  const starting = args.values.get('starting-offsets') ?? 'committed';
  if (starting !== 'committed' && starting !== 'earliest' && starting !== 'latest') {
    throw new InvalidArgumentError(`sluice ${command}: --starting-offsets must be committed, earliest or latest; got "${starting}".`);
  }
  const toTopic = args.values.get('to-topic');
  if (args.flags.has('exactly-once') && toTopic === undefined) throw new InvalidArgumentError(`sluice ${command}: --exactly-once needs --to-topic OUT (the output written in the same transaction as the offsets).`);
  const maxRate = args.values.get('max-rate-per-partition');
  const sessionTimeout = args.values.get('session-timeout');
  const sessionTimeoutMs = sessionTimeout === undefined ? undefined : parseDuration('session-timeout', sessionTimeout);
  // Shorter, the group's heartbeats (every 100 ms at least) could not fit in it, and the run failed at its first batch with a message about heartbeatIntervalMs, which the CLI has no flag for.
  if (sessionTimeoutMs !== undefined && sessionTimeoutMs < MIN_SESSION_TIMEOUT_MS) {
    throw new InvalidArgumentError(`sluice ${command}: --session-timeout "${sessionTimeout}" is too short: at least 1s (the broker's own minimum, group.min.session.timeout.ms, is usually 6s).`);
  }
  return {
    ...(sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs }),
    brokers,
    topics,
    groupId: args.values.get('group') ?? `sluice-${command}`,
    startingOffsets: starting,
    ...(maxRate === undefined ? {} : { maxRatePerPartition: parseRate('max-rate-per-partition', maxRate) }),
    ...(toTopic === undefined ? {} : { toTopic }),
    exactlyOnce: args.flags.has('exactly-once'),
  };
}

export function sourceSettings(command: string, args: ParsedArgs): SourceSettings {
  const socket = args.values.get('socket');
  const dir = args.values.get('dir');
  const kafka = kafkaSettings(command, args);
  if ([socket, dir, kafka].filter((source) => source !== undefined).length !== 1) {
    throw new InvalidArgumentError(`sluice ${command}: give exactly one source, --socket HOST:PORT, --dir PATH or --kafka BROKERS --topic T (e.g. --socket 127.0.0.1:9999).`);
  }
  if (args.flags.has('include-existing') && dir === undefined) throw new InvalidArgumentError(`sluice ${command}: --include-existing only applies to --dir.`);
  if (dir !== undefined && existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new InvalidArgumentError(`sluice ${command}: --dir ${dir} is a file, not a directory.`);
    try {
      accessSync(dir, constants.R_OK | constants.X_OK);
    } catch (error) {
      throw new InvalidArgumentError(`sluice ${command}: --dir ${dir} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'no access'}); give a directory this user can list and read.`, { cause: error });
    }
  }
  const batch = args.values.get('batch');
  const batches = args.values.get('batches');
  const connectTimeout = args.values.get('connect-timeout');
  const maxLineBytes = args.values.get('max-line-bytes');
  const maxRate = args.values.get('max-rate');
  const checkpoint = args.values.get('checkpoint');
  const discard = args.values.get('discard-state');
  const interval = args.values.get('checkpoint-interval');
  if (interval !== undefined && checkpoint === undefined) throw new InvalidArgumentError(`sluice ${command}: --checkpoint-interval only applies with --checkpoint DIR.`);
  const checkpointIntervalMs = interval === undefined ? undefined : parseDuration('checkpoint-interval', interval);
  if (discard !== undefined && checkpoint === undefined) throw new InvalidArgumentError(`sluice ${command}: --discard-state only applies with --checkpoint DIR.`);
  const discardState = discard?.split(',').map((name) => name.trim());
  if (discardState?.some((name) => name === '')) throw new InvalidArgumentError(`sluice ${command}: --discard-state needs state names separated by commas, e.g. --discard-state wordcount-running-counts.`);
  const batchIntervalMs = batch === undefined ? 1000 : parseDuration('batch', batch);
  if (checkpointIntervalMs !== undefined && checkpointIntervalMs % batchIntervalMs !== 0) {
    throw new InvalidArgumentError(`sluice ${command}: --checkpoint-interval (${checkpointIntervalMs} ms) must be a multiple of --batch (${batchIntervalMs} ms).`);
  }
  const invalidUtf8 = args.values.get('invalid-utf8');
  if (invalidUtf8 !== undefined && invalidUtf8 !== 'keep' && invalidUtf8 !== 'drop') {
    throw new InvalidArgumentError(`sluice ${command}: --invalid-utf8 must be keep or drop; got "${invalidUtf8}".`);
  }
  if (invalidUtf8 !== undefined && kafka !== undefined) throw new InvalidArgumentError(`sluice ${command}: --invalid-utf8 only applies to --socket and --dir (Kafka values are kept and read with U+FFFD).`);
  const uiPort = uiPortOf(args);
  return {
    ...(invalidUtf8 === undefined ? {} : { invalidUtf8 }),
    ...(uiPort === undefined ? {} : { uiPort }),
    ...(kafka === undefined ? {} : { kafka }),
    ...(discardState === undefined ? {} : { discardState }),
    ...(checkpointIntervalMs === undefined ? {} : { checkpointIntervalMs }),
    ...(checkpoint === undefined ? {} : { checkpointDir: resolve(checkpoint) }),
    ...(maxRate === undefined ? {} : { maxRatePerSecond: parseRate('max-rate', maxRate) }),
    backpressure: args.flags.has('backpressure'),
    batchIntervalMs,
    maxBatches: batches === undefined ? undefined : parseInteger('batches', batches, 1),
    connectTimeoutMs: connectTimeout === undefined ? 10_000 : parseDuration('connect-timeout', connectTimeout, MAX_TIMER_MS),
    ...(socket === undefined ? {} : { socket: parseHostPort('socket', socket) }),
    ...(dir === undefined ? {} : { dir }),
    includeExisting: args.flags.has('include-existing'),
    maxLineBytes: maxLineBytes === undefined ? undefined : parseInteger('max-line-bytes', maxLineBytes, 1, 0x3fffffff),
  };
}

export interface InputSource {
  readonly lines: DStream<string>;
  readonly description: string;
  /** Where the command sends its results besides stdout (--to-topic), if anywhere. */
  readonly output?: (results: DStream<readonly [string, number]>) => void;
  /**
   * Scale-out (Kafka with running state): sends the pairs through a Kafka
   * repartition topic to the process that owns each key; undefined otherwise.
   */
  readonly byKey?: (pairs: DStream<readonly [string, number]>) => DStream<readonly [string, number]>;
  /** A line for stderr about batch `info` (scale-out: partitions moved), if there is news. */
  readonly batchNote?: (info: BatchInfo) => string | undefined;
}

/** `onConnectionChange` (for --socket) lets the run loop give up on a host that never answers. */
export function createSource(ssc: StreamingContext, settings: SourceSettings, onConnectionChange?: (connected: boolean) => void, scaleOut?: ScaleOutSource): InputSource {
  const receiverOptions = {
    ...(settings.maxLineBytes === undefined ? {} : { maxLineBytes: settings.maxLineBytes }),
    ...(settings.maxRatePerSecond === undefined ? {} : { maxRatePerSecond: settings.maxRatePerSecond }),
    ...(settings.invalidUtf8 === undefined ? {} : { invalidUtf8: settings.invalidUtf8 }),
    backpressure: settings.backpressure === true,
  };
  if (settings.kafka !== undefined && scaleOut !== undefined) return scaleOutSource(ssc, settings.kafka, settings, scaleOut);
  if (settings.kafka !== undefined) return kafkaSource(ssc, settings.kafka, settings);
  if (settings.socket !== undefined) {
    const { host, port } = settings.socket;
    const watch = onConnectionChange === undefined ? {} : { onConnectionChange };
    return { lines: socketTextStream(ssc, host, port, { ...receiverOptions, ...watch }), description: `${host}:${port}` };
  }
  const dir = resolve(settings.dir as string);
  const options = { ...receiverOptions, includeExisting: settings.includeExisting, pollIntervalMs: Math.min(settings.batchIntervalMs, 1000) };
  return { lines: textFileStream(ssc, dir, options), description: `directory ${dir}` };
}

function kafkaSource(ssc: StreamingContext, kafka: KafkaSettings, settings: SourceSettings): InputSource {
  const { brokers, topics, groupId, toTopic } = kafka;
  const records = kafkaDirectStream(ssc, {
    brokers,
    topics,
    groupId,
    startingOffsets: kafka.startingOffsets,
    resetOffsets: 'earliest',
    exactlyOnce: kafka.exactlyOnce,
    ...(kafka.maxRatePerPartition === undefined ? {} : { maxRatePerPartition: kafka.maxRatePerPartition }),
    ...(settings.backpressure === true ? { backpressure: true } : {}),
  });
  const lines = kafkaValues(records, settings.maxLineBytes === undefined ? {} : { maxRecordBytes: settings.maxLineBytes });
  const description = `Kafka ${topics.join(',')} at ${brokers} (group ${groupId}${toTopic === undefined ? '' : `, results to ${toTopic}${kafka.exactlyOnce ? ', exactly once' : ''}`})`;
  return toTopic === undefined ? { lines, description } : { lines, description, output: (results) => toKafka(results, toTopic) };
}
