/**
 * One batch's Kafka transaction (exactly-once output and offsets, see
 * batch-commits.ts), kept going through broker restarts.
 *
 * Every record the batch sends is kept until its commit. When the
 * transaction cannot go on, it is abandoned and the batch's output is
 * written again, from those records, in a new transaction; the batch's
 * computation never runs twice, so in-memory state (updateStateByKey...)
 * is not applied twice. It cannot go on when:
 * - a send failed: with several brokers part of it may be in the log
 *   already (kafkajs has then advanced those partitions' sequence numbers),
 *   so sending it again inside the same transaction could duplicate it;
 * - the broker aborted it for outliving the transaction timeout (an outage
 *   longer than the timeout): every later call fails with an old epoch;
 * - its commit failed: kafkajs then refuses every call on the producer
 *   (its transaction state stays COMMITTING).
 * Abandoning means closing the producer and fencing with a new one of the
 * same transactional id, which aborts the old transaction (or, if its commit
 * had reached the coordinator, completes it). A failed commit may therefore
 * have happened: after the fence the group's committed offsets and the
 * batch marker beside them (the transaction wrote both) say which, so the
 * batch is written again only if not. A batch that wrote output but
 * consumed nothing commits its unchanged positions with its marker, so it
 * is told apart the same way.
 *
 * So nothing is retried inside the same transaction: of its calls only the
 * offsets (AddOffsetsToTxn, TxnOffsetCommit) could be, and writing the batch
 * again costs little next to an outage. Errors that waiting cannot fix
 * (fenced by another instance within the timeout, unknown topic...) fail
 * the batch as before.
 */
import { KafkaError, SluiceError } from '../../errors.js';
import type { CommittedOffset, GroupOffsets, KafkaTransaction, OutgoingRecord, TransactionalProducerPort } from './client.js';
import { partitionKey } from './client.js';

/** What a batch transaction needs from BatchCommits. */
export interface TransactionHost {
  /** The stream's transactional producer, created and fenced first if there is none. */
  activeProducer(): Promise<TransactionalProducerPort>;
  /** Closes the producer; the next activeProducer() fences with a new one, ending its open transaction. */
  discardProducer(): void;
  /** The group's committed offsets, with their metadata, of the partitions in `offsets`. */
  committedOffsets(offsets: GroupOffsets): Promise<readonly CommittedOffset[]>;
  /** Runs an operation again while it fails with a retriable SluiceError, with backoff, reporting each failure. */
  retry<T>(operation: () => Promise<T>): Promise<T>;
  readonly transactionTimeoutMs: number;
}

interface Attempt {
  readonly tx: KafkaTransaction;
  readonly beganAt: number;
}

export class BatchTransaction implements KafkaTransaction {
  private readonly sent: { readonly topic: string; readonly records: readonly OutgoingRecord[] }[] = [];
  private attempt: Attempt | undefined;
  /** A commit failed and may still have happened: the offsets it carried, to check before writing the batch again. */
  private uncertain: GroupOffsets | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly host: TransactionHost,
    /** For messages: the batch time. */
    readonly time: number,
  ) {}

  send(topic: string, records: readonly OutgoingRecord[]): Promise<void> {
    return this.serially(async () => {
      await this.host.retry(async () => {
        const attempt = await this.current();
        try {
          await attempt.tx.send(topic, records);
        } catch (error) {
          throw this.abandon(error, attempt);
        }
      });
      this.sent.push({ topic, records });
    });
  }

  commit(offsets?: GroupOffsets): Promise<void> {
    return this.serially(() =>
      this.host.retry(async () => {
        if (this.uncertain !== undefined && (await this.happened(this.uncertain))) return;
        this.uncertain = undefined;
        const attempt = await this.current();
        try {
          await attempt.tx.commit(offsets);
        } catch (error) {
          const failure = this.abandon(error, attempt);
          if (failure instanceof SluiceError && failure.retriable && offsets !== undefined && offsets.offsets.length > 0) this.uncertain = offsets;
          throw failure;
        }
      }),
    );
  }

  /** Aborts the transaction if one is open; if the abort fails, the next fence ends it. */
  abort(): Promise<void> {
    return this.serially(async () => {
      const attempt = this.attempt;
      this.attempt = undefined;
      if (attempt === undefined) return;
      try {
        await attempt.tx.abort();
      } catch (error) {
        this.host.discardProducer();
        throw error;
      }
    });
  }

  private serially<T>(run: () => Promise<T>): Promise<T> {
    const result = this.queue.then(run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** The open transaction, or a new one holding everything sent so far. */
  private async current(): Promise<Attempt> {
    if (this.attempt !== undefined) return this.attempt;
    const producer = await this.host.activeProducer();
    const attempt: Attempt = { tx: await producer.begin(), beganAt: Date.now() };
    this.attempt = attempt;
    try {
      for (const { topic, records } of this.sent) await attempt.tx.send(topic, records);
    } catch (error) {
      throw this.abandon(error, attempt);
    }
    return attempt;
  }

  /**
   * After `error` in `attempt`: if waiting and writing again can help (a
   * retriable error, or any error once the broker may have aborted the
   * transaction for its age), the attempt is dropped with its producer and a
   * retriable error returned; otherwise `error` itself (the batch fails).
   */
  private abandon(error: unknown, attempt: Attempt): unknown {
    const timedOut = Date.now() - attempt.beganAt >= this.host.transactionTimeoutMs;
    const retriable = error instanceof SluiceError && error.retriable;
    if (!retriable && !timedOut) return error;
    if (this.attempt === attempt) this.attempt = undefined;
    this.host.discardProducer();
    if (retriable) return error;
    return new KafkaError(
      'ERR_SLUICE_KAFKA_TRANSACTION_TIMED_OUT',
      `The transaction of batch ${this.time} ran longer than the transaction timeout (${this.host.transactionTimeoutMs} ms) and the broker refused it: ${error instanceof Error ? error.message : String(error)}. ` +
        'Its output is written again in a new transaction; raise transactionTimeoutMs if batches take this long.',
      { cause: error, retriable: true },
    );
  }

  /** Whether the transaction that carried `offsets` committed (it has ended: the producer was fenced since). */
  private async happened(offsets: GroupOffsets): Promise<boolean> {
    await this.host.activeProducer();
    const committed = new Map((await this.host.committedOffsets(offsets)).map((p) => [partitionKey(p), p]));
    return offsets.offsets.every((p) => {
      const found = committed.get(partitionKey(p));
      return found?.offset === p.offset && (p.metadata === undefined || found.metadata === p.metadata);
    });
  }
}
