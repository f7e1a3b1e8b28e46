/**
 * Every error sluice throws is a SluiceError with a stable `code` (documented,
 * never renamed), an optional `cause`, and a message that says what to do.
 * Callers branch on `code`, never on message text.
 */
export class SluiceError extends Error {
  readonly code: string;
  /** True when retrying the same operation may succeed (I/O hiccups, a busy port). */
  readonly retriable: boolean;

  constructor(code: string, message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** A caller passed an argument sluice cannot use (bad interval, negative count, ...). */
export class InvalidArgumentError extends SluiceError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('ERR_SLUICE_INVALID_ARGUMENT', message, options);
  }
}

/** The StreamingContext was used in a state that forbids the call (e.g. adding a stream after start). */
export class IllegalStateError extends SluiceError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('ERR_SLUICE_ILLEGAL_STATE', message, options);
  }
}

/** A WASM kernel could not be loaded or ran out of the memory it may use. */
export class KernelError extends SluiceError {
  constructor(code: 'ERR_SLUICE_KERNEL_LOAD' | 'ERR_SLUICE_KERNEL_MEMORY' | 'ERR_SLUICE_KERNEL_LAYOUT', message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
  }
}

/** Input that cannot be processed as given: over-long records, malformed rows, hostile frames. */
export class InputError extends SluiceError {
  constructor(
    code:
      | 'ERR_SLUICE_RECORD_TOO_LONG'
      | 'ERR_SLUICE_MALFORMED_INPUT'
      | 'ERR_SLUICE_INVALID_UTF8'
      /** A receiver kept storing while its buffer of received-but-unprocessed data was full (receiverBufferBytes). */
      | 'ERR_SLUICE_RECEIVER_OVER_BUDGET',
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(code, message, options);
  }
}

/** A checkpoint is missing where required, corrupted, or written by an incompatible version. */
export class CheckpointError extends SluiceError {
  constructor(
    code:
      | 'ERR_SLUICE_CHECKPOINT_REQUIRED'
      | 'ERR_SLUICE_CHECKPOINT_CORRUPT'
      | 'ERR_SLUICE_CHECKPOINT_INCOMPATIBLE'
      | 'ERR_SLUICE_CHECKPOINT_IO'
      /** State or a source position holds a value a checkpoint cannot store (a function, a class instance). */
      | 'ERR_SLUICE_CHECKPOINT_UNSERIALIZABLE'
      /** Recovery would drop state the checkpoint holds (see StateDiscardError). */
      | 'ERR_SLUICE_CHECKPOINT_STATE_DISCARDED'
      /** Another live process checkpoints into the same directory (FileCheckpointStore's lock). */
      | 'ERR_SLUICE_CHECKPOINT_LOCKED',
    message: string,
    options: { cause?: unknown; retriable?: boolean } = {},
  ) {
    super(code, message, options);
  }
}

/**
 * Recovering would silently drop checkpointed state: the checkpoint holds
 * state for operators the new graph does not have (a changed pipeline, a
 * removed or renamed operator). Nothing was started and nothing written.
 * `operators` names the state that would be lost.
 */
export class StateDiscardError extends CheckpointError {
  constructor(
    readonly operators: readonly string[],
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super('ERR_SLUICE_CHECKPOINT_STATE_DISCARDED', message, options);
  }
}

/** A batch's job failed (a user function threw, or a worker died too often). */
export class JobError extends SluiceError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('ERR_SLUICE_JOB_FAILED', message, options);
  }
}

/** A source or sink could not reach its peer (host unreachable, port in use, connection lost). */
export class ConnectionError extends SluiceError {
  constructor(code: 'ERR_SLUICE_CONNECT' | 'ERR_SLUICE_PORT_IN_USE' | 'ERR_SLUICE_CONNECTION_LOST', message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(code, message, { retriable: true, ...options });
  }
}

/**
 * A running sum would stop being a finite number (±Infinity or NaN: values
 * from your own closures), or a running count would pass 2^53 − 1, beyond
 * which counts are no longer exact. Values parsed by the built-ins cannot
 * cause it (they are at most 2^959 in magnitude: see keyValueFields).
 */
export class NumericOverflowError extends SluiceError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('ERR_SLUICE_NUMERIC_OVERFLOW', message, options);
  }
}

/** An output could not be written (saveAsTextFiles folder, sink file): disk full, no permission. */
export class OutputError extends SluiceError {
  constructor(message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super('ERR_SLUICE_OUTPUT_IO', message, options);
  }
}

/**
 * Kafka (sluice/node's direct stream and sink) refused or could not be reached.
 * Retriable codes (broker down, coordinator moving) are retried with backoff
 * before they surface; the others need the user to act.
 */
export class KafkaError extends SluiceError {
  constructor(
    code:
      /** A topic or partition does not exist (topics are never created implicitly). */
      | 'ERR_SLUICE_KAFKA_UNKNOWN_TOPIC'
      /** The broker refused the operation for lack of ACLs (topic, group or transactional id). */
      | 'ERR_SLUICE_KAFKA_NOT_AUTHORIZED'
      /** No broker answered (down, wrong address, network). Retriable. */
      | 'ERR_SLUICE_KAFKA_BROKER_DOWN'
      /** The group or transaction coordinator is loading or moving. Retriable. */
      | 'ERR_SLUICE_KAFKA_COORDINATOR'
      /** Another process took over the same transactional id (a newer instance of this stream). */
      | 'ERR_SLUICE_KAFKA_FENCED'
      /** A batch's transaction outlived the transaction timeout and the broker aborted it (e.g. during a broker restart); its output is written again in a new one. Retriable. */
      | 'ERR_SLUICE_KAFKA_TRANSACTION_TIMED_OUT'
      /** Start offsets are outside the log (deleted by retention, or beyond its end). */
      | 'ERR_SLUICE_KAFKA_OFFSET_OUT_OF_RANGE'
      /** Scale-out: a partition claim was made for a group generation that is no longer current (a rebalance happened); wait for the next assignment. */
      | 'ERR_SLUICE_KAFKA_REBALANCED'
      /** Any other broker or client error; see `cause`. */
      | 'ERR_SLUICE_KAFKA',
    message: string,
    options: { cause?: unknown; retriable?: boolean } = {},
  ) {
    super(code, message, options);
  }
}

/**
 * Scale-out (many processes in one Kafka consumer group, state in changelog
 * topics) cannot run the graph or its internal topics as they are.
 */
export class ScaleOutError extends SluiceError {
  constructor(
    code:
      /** An operator's state cannot be split by partition (windows, initial state). */
      | 'ERR_SLUICE_SCALE_OUT_UNSUPPORTED'
      /** changesAt was asked for a batch whose changes are no longer kept. */
      | 'ERR_SLUICE_SCALE_OUT_CHANGES_GONE'
      /** An internal topic (changelog, repartition) exists with another partition count than the input's. */
      | 'ERR_SLUICE_SCALE_OUT_TOPIC_MISMATCH'
      /** A changelog record cannot be read back as state (written by something else, or corrupt). */
      | 'ERR_SLUICE_SCALE_OUT_CHANGELOG_CORRUPT'
      /** A state key belongs to a partition this process does not own: the state is keyed otherwise than its input (repartition first). */
      | 'ERR_SLUICE_SCALE_OUT_NOT_PARTITIONED',
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(code, message, options);
  }
}
