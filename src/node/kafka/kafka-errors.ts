/**
 * Turns kafkajs errors into KafkaErrors with a stable code and advice. The
 * whole cause chain is searched (kafkajs wraps the broker's error in
 * "number of retries exceeded"), so the root problem decides the code.
 */
import { KafkaError, SluiceError } from '../../errors.js';

interface ClientError {
  readonly name?: string;
  readonly type?: string;
  readonly message?: string;
  readonly retriable?: boolean;
  readonly cause?: unknown;
}

function chain(error: unknown): ClientError[] {
  const found: ClientError[] = [];
  for (let e = error; typeof e === 'object' && e !== null && found.length < 10; e = (e as ClientError).cause) found.push(e as ClientError);
  return found;
}

// kafkajs names codes 14-16 GROUP_LOAD_IN_PROGRESS, GROUP_COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR_FOR_GROUP (Kafka's older names).
const COORDINATOR_TYPES = new Set([
  'COORDINATOR_NOT_AVAILABLE', 'NOT_COORDINATOR', 'COORDINATOR_LOAD_IN_PROGRESS', 'GROUP_LOAD_IN_PROGRESS', 'GROUP_COORDINATOR_NOT_AVAILABLE', 'NOT_COORDINATOR_FOR_GROUP',
  'CONCURRENT_TRANSACTIONS', 'REBALANCE_IN_PROGRESS',
]);
const BROKER_DOWN_NAMES = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSBrokerNotFound', 'KafkaJSRequestTimeoutError', 'KafkaJSLockTimeout', 'KafkaJSNoBrokerAvailableError']);

// What kafkajs throws while a broker restarts, besides the above (seen against the real broker, see batch-transaction.ts):
// "Failed to find group coordinator" (KafkaJSGroupCoordinatorNotFound, for the transaction coordinator too) when no broker
// answered the lookup; a transaction coordinator that moved; a partition whose leader is not back yet.
const MORE_COORDINATOR_TYPES = new Set(['TRANSACTION_COORDINATOR_FENCED']);
const COORDINATOR_NAMES = new Set(['KafkaJSGroupCoordinatorNotFound']);
const LEADER_MOVING_TYPES = new Set(['LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION', 'NOT_ENOUGH_REPLICAS', 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', 'REQUEST_TIMED_OUT', 'NETWORK_EXCEPTION']);

/** `what` names the operation for the message, e.g. "reading offsets of topic words". */
export function toKafkaError(error: unknown, what: string): SluiceError {
  const errors = chain(error);
  // sluice's own error raised inside kafkajs (e.g. by the scale-out assignor) comes back wrapped: it already says what to do.
  const own = errors.find((e): e is SluiceError => e instanceof SluiceError);
  if (own !== undefined) return own;
  const types = errors.map((e) => e.type ?? '');
  const names = errors.map((e) => e.name ?? '');
  const detail = errors.map((e) => e.message).filter((m) => m !== undefined && m !== '').at(-1) ?? String(error);
  const make = (code: ConstructorParameters<typeof KafkaError>[0], advice: string, retriable = false): KafkaError =>
    new KafkaError(code, `Kafka failed ${what}: ${detail}. ${advice}`, { cause: error, retriable });
  if (types.some((t) => t === 'UNKNOWN_TOPIC_OR_PARTITION') || names.includes('KafkaJSTopicMetadataNotLoaded')) {
    return make('ERR_SLUICE_KAFKA_UNKNOWN_TOPIC', 'Create the topic first (sluice never creates topics), e.g. kafka-topics.sh --create --topic NAME, or check its spelling.');
  }
  if (names.includes('KafkaJSNotImplemented') && /compression/i.test(detail)) {
    return make(
      'ERR_SLUICE_KAFKA',
      'kafkajs reads only uncompressed and gzip-compressed records: have the producers use gzip or no compression, or register a codec for the others with kafkajs\'s CompressionCodecs (e.g. the kafkajs-lz4 package) before the stream starts.',
    );
  }
  if (types.some((t) => t.endsWith('AUTHORIZATION_FAILED'))) {
    return make('ERR_SLUICE_KAFKA_NOT_AUTHORIZED', 'Grant this client the ACLs it needs (read/describe on the topic and group, write on output topics, the transactional id for exactly-once).');
  }
  if (types.some((t) => t === 'PRODUCER_FENCED' || t === 'INVALID_PRODUCER_EPOCH' || t === 'TRANSACTIONAL_ID_FENCED')) {
    return make('ERR_SLUICE_KAFKA_FENCED', 'Another instance took over: a newer instance of this stream (same consumer group, so same transactional id; run only one per group), or in scale-out mode a group member that claimed one of this process\'s partitions.');
  }
  if (types.includes('INVALID_SESSION_TIMEOUT')) {
    return make('ERR_SLUICE_KAFKA', "Choose a session timeout the broker allows: between its group.min.session.timeout.ms and group.max.session.timeout.ms (6 s and 30 min by default).");
  }
  if (types.some((t) => t === 'OFFSET_OUT_OF_RANGE') || names.includes('KafkaJSOffsetOutOfRange')) {
    return make('ERR_SLUICE_KAFKA_OFFSET_OUT_OF_RANGE', 'The offsets asked for are no longer (or not yet) in the log; start from earliest or latest instead.');
  }
  if (types.some((t) => COORDINATOR_TYPES.has(t) || MORE_COORDINATOR_TYPES.has(t)) || names.some((n) => COORDINATOR_NAMES.has(n))) {
    return make('ERR_SLUICE_KAFKA_COORDINATOR', 'The group or transaction coordinator is moving or loading; this is retried.', true);
  }
  if (names.some((n) => BROKER_DOWN_NAMES.has(n)) || types.some((t) => LEADER_MOVING_TYPES.has(t)) || /ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|Connection timeout|Closed connection/.test(detail)) {
    return make('ERR_SLUICE_KAFKA_BROKER_DOWN', 'Check that the brokers are up and reachable at the addresses given; this is retried.', true);
  }
  if (types.includes('UNKNOWN')) {
    // Kafka's UNKNOWN_SERVER_ERROR (kafkajs's type UNKNOWN): seen once on a transaction commit under heavy load. Retrying is safe
    // where it matters: a batch's transaction checks after a failed commit whether it happened (batch-transaction.ts).
    return make('ERR_SLUICE_KAFKA', 'The broker reported an internal error (see its log); this is retried.', true);
  }
  const retriable = errors.some((e) => e.retriable === true) && !names.includes('KafkaJSNonRetriableError');
  return make('ERR_SLUICE_KAFKA', 'See `cause` for the client\'s error.', retriable);
}

/** Broker answers to a generation-checked group request from a member that is no longer in the current generation. */
const STALE_MEMBER_TYPES = new Set(['ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID']);

/**
 * As toKafkaError, for a generation-checked offset commit (a scale-out
 * partition claim): a stale member gets ERR_SLUICE_KAFKA_REBALANCED, not
 * retriable, since the claim is void and must wait for the next assignment.
 */
export function toClaimError(error: unknown, what: string): SluiceError {
  if (error instanceof SluiceError) return error;
  if (!chain(error).some((e) => STALE_MEMBER_TYPES.has(e.type ?? ''))) return toKafkaError(error, what);
  const detail = chain(error).map((e) => e.message).filter((m) => m !== undefined && m !== '').at(-1) ?? String(error);
  return new KafkaError('ERR_SLUICE_KAFKA_REBALANCED', `Kafka refused ${what}: ${detail}. The group rebalanced since this assignment; claim again for the next assignment.`, { cause: error });
}
