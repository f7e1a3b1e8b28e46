/**
 * Commits a batch's consumed offsets to the consumer group once its outputs
 * succeeded, through a transactional producer: in exactly-once mode the
 * batch's Kafka output records go into the same transaction, so output and
 * offsets become visible together or not at all. The transactional id is
 * stable per group, so a restarted process fences its predecessor (whose
 * open transaction is aborted) before it reads the committed offsets; the
 * short transaction timeout bounds how long a crash stalls read_committed
 * readers when no successor starts.
 *
 * At-least-once mode uses the same commit (a transaction holding only the
 * offsets), which needs no group membership: a restart never waits for a
 * dead member's session to expire.
 *
 * A broker restart while a batch writes its transaction does not fail the
 * batch: batch-transaction.ts writes the batch again in a new transaction.
 */
import { BatchTransaction, type TransactionHost } from './batch-transaction.js';
import type { CommittedOffset, GroupOffsets, KafkaClient, KafkaTransaction, TransactionalProducerPort } from './client.js';

export class BatchCommits implements TransactionHost {
  private producer: Promise<TransactionalProducerPort> | undefined;
  /** The open transaction of each batch time that has one. */
  private readonly open = new Map<number, BatchTransaction>();
  private readonly aborting = new Set<Promise<void>>();
  private readonly closing = new Set<Promise<void>>();
  private started = false;

  constructor(
    private readonly client: KafkaClient,
    readonly transactionalId: string,
    readonly transactionTimeoutMs: number,
    /** How broker errors that may pass are retried (and reported); see batch-transaction.ts. Default: not retried. */
    readonly retry: <T>(operation: () => Promise<T>) => Promise<T> = (operation) => operation(),
  ) {}

  /** Connects and fences earlier producers of the same id; before anything reads committed offsets. */
  async start(): Promise<void> {
    await this.activeProducer();
    this.started = true;
  }

  activeProducer(): Promise<TransactionalProducerPort> {
    if (this.producer === undefined) {
      const producer = (async () => {
        const p = await this.client.transactionalProducer(this.transactionalId, { transactionTimeoutMs: this.transactionTimeoutMs });
        try {
          await p.fence();
        } catch (error) {
          await p.close().catch(() => undefined);
          throw error;
        }
        return p;
      })();
      this.producer = producer;
      producer.catch(() => {
        if (this.producer === producer) this.producer = undefined;
      });
    }
    return this.producer;
  }

  discardProducer(): void {
    const old = this.producer;
    this.producer = undefined;
    if (old === undefined) return;
    const closing = old.then((p) => p.close()).catch(() => undefined);
    this.closing.add(closing);
    void closing.finally(() => this.closing.delete(closing));
  }

  committedOffsets(offsets: GroupOffsets): Promise<readonly CommittedOffset[]> {
    return this.client.committedOffsetsWithMetadata(offsets.groupId, [...new Set(offsets.offsets.map((p) => p.topic))]);
  }

  /** Whether batch `time` has a transaction (it sent output). */
  hasTransaction(time: number): boolean {
    return this.open.has(time);
  }

  /** Batch `time`'s transaction, begun on its first send. */
  transactionFor(time: number): Promise<KafkaTransaction> {
    let tx = this.open.get(time);
    if (tx === undefined) {
      if (!this.started) throw new Error('BatchCommits.start() must finish before a transaction begins');
      tx = new BatchTransaction(this, time);
      this.open.set(time, tx);
    }
    return Promise.resolve(tx);
  }

  /** Commits batch `time`: its transaction if one is open, with `offsets`. Nothing to do without either. */
  async commit(time: number, offsets: GroupOffsets): Promise<void> {
    if (!this.open.has(time) && offsets.offsets.length === 0) return;
    const tx = await this.transactionFor(time);
    // The batch's marker beside its offsets tells a commit whose answer was lost from one that did not happen, even when the offsets did not move.
    const marked = { ...offsets, offsets: offsets.offsets.map((p) => ({ ...p, metadata: p.metadata ?? batchMarker(time) })) };
    try {
      await tx.commit(marked);
    } catch (error) {
      await tx.abort().catch(() => undefined);
      throw error;
    } finally {
      this.open.delete(time);
    }
  }

  /** Aborts batch `time`'s transaction (its outputs failed), if it has one. */
  abort(time: number): Promise<void> {
    const tx = this.open.get(time);
    if (tx === undefined) return Promise.resolve();
    this.open.delete(time);
    const aborting = tx.abort();
    this.aborting.add(aborting);
    void aborting.catch(() => undefined).finally(() => this.aborting.delete(aborting));
    return aborting;
  }

  /** Aborts what is open and waits for aborts under way, so no transaction is left for the broker to time out. */
  async close(): Promise<void> {
    for (const time of [...this.open.keys()]) void this.abort(time);
    await Promise.allSettled([...this.aborting, ...this.closing]);
    const producer = this.producer;
    this.producer = undefined;
    await producer?.then((p) => p.close()).catch(() => undefined);
  }
}

/** The offset metadata a batch commits with (see BatchCommits.commit). */
export function batchMarker(time: number): string {
  return `sluice-batch:${time}`;
}
