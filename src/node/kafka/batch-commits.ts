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
 */
import type { GroupOffsets, KafkaClient, KafkaTransaction, TransactionalProducerPort } from './client.js';

export class BatchCommits {
  private producer: TransactionalProducerPort | undefined;
  /** The open transaction of each batch time that has one. */
  private readonly open = new Map<number, Promise<KafkaTransaction>>();
  private readonly aborting = new Set<Promise<void>>();

  constructor(
    private readonly client: KafkaClient,
    readonly transactionalId: string,
    private readonly transactionTimeoutMs: number,
  ) {}

  /** Connects and fences earlier producers of the same id; before anything reads committed offsets. */
  async start(): Promise<void> {
    this.producer = await this.client.transactionalProducer(this.transactionalId, { transactionTimeoutMs: this.transactionTimeoutMs });
    await this.producer.fence();
  }

  /** Batch `time`'s transaction, begun on first use. */
  transactionFor(time: number): Promise<KafkaTransaction> {
    let tx = this.open.get(time);
    if (tx === undefined) {
      const producer = this.producer;
      if (producer === undefined) throw new Error('BatchCommits.start() must finish before a transaction begins');
      tx = producer.begin();
      // A begin that fails is reported where it is awaited; this only keeps it from counting as unhandled.
      tx.catch(() => undefined);
      this.open.set(time, tx);
    }
    return tx;
  }

  /** Commits batch `time`: its transaction if one is open, with `offsets`. Nothing to do without either. */
  async commit(time: number, offsets: GroupOffsets): Promise<void> {
    if (!this.open.has(time) && offsets.offsets.length === 0) return;
    const tx = await this.transactionFor(time);
    try {
      await tx.commit(offsets);
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
    const aborting = tx.then((t) => t.abort());
    this.aborting.add(aborting);
    void aborting.catch(() => undefined).finally(() => this.aborting.delete(aborting));
    return aborting;
  }

  /** Aborts what is open and waits for aborts under way, so no transaction is left for the broker to time out. */
  async close(): Promise<void> {
    for (const time of [...this.open.keys()]) void this.abort(time);
    await Promise.allSettled([...this.aborting]);
    await this.producer?.close();
    this.producer = undefined;
  }
}
