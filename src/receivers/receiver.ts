import { IllegalStateError, InvalidArgumentError } from '../errors.js';
import { describeValue } from '../arguments.js';

/**
 * Spark-style custom receiver. Subclasses implement onStart (must not block:
 * start a connection/timer and return) and onStop, and hand data to `store`.
 * The engine's receiver supervisor attaches itself through `attach`; a
 * receiver that calls `restart` or throws from onStart is stopped and started
 * again after `restartDelayMs`, and the error reaches StreamingListeners.
 */
export interface ReceiverHost {
  /**
   * One record (a line, without its '\n'), as a string or UTF-8 bytes. A
   * record holding '\n' is stored as the lines it contains, a final '\n'
   * ending the last line (RecordBatchBuilder.append): receivers use this to
   * hand over many complete lines in one call (Receiver.storeLines).
   */
  storeRecord(record: string | Uint8Array): void;
  restart(receiver: Receiver, reason: string, error?: unknown): void;
  reportError(receiver: Receiver, message: string, error?: unknown): void;
  /** A note for the context's logger (INFO), e.g. a connection that came back. Hosts without a logger may omit it. */
  logInfo?(receiver: Receiver, message: string): void;
  isStopped(): boolean;
  /**
   * Bytes received but not processed yet (stored since the last batch time,
   * plus batches not completed). Hosts without a budget may omit the three
   * buffer methods; receivers then see an empty buffer that never fills.
   */
  bufferedBytes?(): number;
  /** True while the budget (StreamingContextOptions.receiverBufferBytes) is used up: stop reading. */
  isBufferFull?(): boolean;
  /** Resolves once processed batches freed room (or the receiver was stopped): read again. */
  whenBufferHasRoom?(): Promise<void>;
}

/**
 * Spark's Receiver: subclass it, implement onStart/onStop, call `store`.
 * The engine's link to it is an ES private field, so a subclass is free to
 * declare fields such as `host` and `port` (Spark's CustomReceiver example).
 */
export abstract class Receiver {
  /** Shown in listener events and errors. */
  name: string;
  /** Delay before a restart requested by `restart` or caused by a throwing onStart. */
  restartDelayMs = 2000;
  #supervisor: ReceiverHost | undefined;

  constructor(name?: string) {
    this.name = name ?? new.target.name;
  }

  /** Start receiving: open a connection or a timer and return at once (do not block). */
  abstract onStart(): void;
  /** Stop reading. Lines held back (rate limit) may still be stored here, as a final flush: they are kept. */
  abstract onStop(): void;

  /** Store one record or many. Strings are UTF-8 encoded; bytes are taken as they are. */
  store(records: string | Uint8Array | Iterable<string | Uint8Array>): void {
    const supervisor = this.#attached();
    if (typeof records === 'string' || records instanceof Uint8Array) {
      supervisor.storeRecord(records);
      return;
    }
    if (typeof (records as Partial<Iterable<unknown>> | null | undefined)?.[Symbol.iterator] !== 'function') throw badRecord(this.name, records);
    for (const record of records) {
      if (typeof record !== 'string' && !(record instanceof Uint8Array)) throw badRecord(this.name, record);
      supervisor.storeRecord(record);
    }
  }

  /**
   * Store many complete lines at once: UTF-8 bytes, each line ending in
   * '\n'. One call instead of one per line; the lines are the same.
   */
  storeLines(lines: Uint8Array): void {
    this.#attached().storeRecord(lines);
  }

  /**
   * Received-but-unprocessed bytes held for this receiver. A receiver that
   * reads from a source it can slow down (a socket, a file) should stop
   * reading while `isBufferFull()` and continue when `whenBufferHasRoom()`
   * resolves; what it stores anyway is kept but reported (ReceiverSupervisor).
   */
  bufferedBytes(): number {
    return this.#supervisor?.bufferedBytes?.() ?? 0;
  }

  /** True while the context's budget for received-but-unprocessed data is used up: stop reading. */
  isBufferFull(): boolean {
    return this.#supervisor?.isBufferFull?.() ?? false;
  }

  /** Resolves at once when there is room; otherwise once batches complete and free some, or the receiver stops. */
  whenBufferHasRoom(): Promise<void> {
    return this.#supervisor?.whenBufferHasRoom?.() ?? Promise.resolve();
  }

  /** Ask the supervisor to stop this receiver and start it again after `restartDelayMs`. */
  restart(reason: string, error?: unknown): void {
    this.#attached().restart(this, reason, error);
  }

  /** Report a non-fatal error to the listeners; the receiver keeps running. */
  reportError(message: string, error?: unknown): void {
    this.#attached().reportError(this, message, error);
  }

  /** A note for the context's logger (Spark's logInfo), e.g. "connected to host:port". Ignored when not attached. */
  logInfo(message: string): void {
    this.#supervisor?.logInfo?.(this, message);
  }

  /** True once the context stopped this receiver (loops in receivers should check it). */
  isStopped(): boolean {
    return this.#supervisor?.isStopped() ?? true;
  }

  /** Called by the engine only. */
  attach(supervisor: ReceiverHost | undefined): void {
    this.#supervisor = supervisor;
  }

  /**
   * Source position to save in a checkpoint (files already read, offsets);
   * undefined when the source is not replayable. Must be JSON-serialisable.
   */
  checkpointPosition(): unknown {
    return undefined;
  }

  /** Called before onStart when recovering from a checkpoint that saved `checkpointPosition()`. */
  restorePosition(_position: unknown): void {}

  /**
   * The position of a run that has not started yet, which getOrCreate writes
   * to the store before the first start so a crash before the first batch
   * cannot change what "new" means (e.g. the files already in a watched
   * directory). Default: checkpointPosition().
   */
  startPosition(): unknown {
    return this.checkpointPosition();
  }

  #attached(): ReceiverHost {
    if (this.#supervisor === undefined) {
      throw new IllegalStateError(`Receiver ${this.name} is not attached to a running StreamingContext; call store() only between onStart() and onStop().`);
    }
    return this.#supervisor;
  }
}

/** What store() says about a value that is no record: records are text (or its UTF-8 bytes), as Spark's socketTextStream gives. */
function badRecord(receiver: string, value: unknown): InvalidArgumentError {
  return new InvalidArgumentError(
    `Receiver ${receiver}: store() takes a string, a Uint8Array of UTF-8, or an iterable of them (e.g. store(String(value)) or store(JSON.stringify(obj))); got ${describeValue(value)}`,
  );
}
