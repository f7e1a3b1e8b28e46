/**
 * Which records of a read_committed fetch belong to aborted transactions:
 * the filter kafkajs runs on every fetched batch, done right. kafkajs 2.2.4
 * (`src/consumer/filterAbortedMessages.js`) enters at most one aborted
 * transaction per record, so when a fetch starts after the first offsets of
 * two aborted transactions (two processes fenced while both wrote the same
 * partition, as scale-out's claims do), the first records of the second
 * one pass as committed. Restoring a changelog then counted a fenced batch
 * and, its input offsets never committed, counted it again.
 *
 * Here every aborted transaction whose first offset is at or before a
 * record is entered before the record is judged, in first-offset order;
 * a producer's transaction ends at its abort marker (a control record
 * whose key is version 0, type 0).
 */

/** The fields kafkajs gives a fetched record that the filter reads. */
export interface FetchedRecord {
  readonly offset: string;
  readonly key?: Uint8Array | null;
  readonly isControlRecord?: boolean;
  /** Absent on records of the old message formats, which have no transactions. */
  readonly batchContext?: { readonly producerId: string; readonly inTransaction: boolean };
}

/** An aborted transaction as a Fetch response lists it. */
export interface AbortedTransaction {
  readonly producerId: string;
  readonly firstOffset: string;
}

function isAbortMarker(record: FetchedRecord): boolean {
  const key = record.key;
  if (key === null || key === undefined || key.length !== 4) return false;
  // kafkajs marks control records; without the mark (older decoders) the key alone decides, as kafkajs itself does.
  if (record.isControlRecord === false) return false;
  return key[0] === 0 && key[1] === 0 && key[2] === 0 && key[3] === 0;
}

/** `records` without those of `aborted` transactions (abort markers are kept: callers drop control records). */
export function withoutAbortedRecords<T extends FetchedRecord>({ messages, abortedTransactions }: { messages: T[]; abortedTransactions?: readonly AbortedTransaction[] | null }): T[] {
  if (abortedTransactions === undefined || abortedTransactions === null || abortedTransactions.length === 0) return messages;
  const pending = abortedTransactions
    .map(({ producerId, firstOffset }) => ({ producerId, first: BigInt(firstOffset) }))
    .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  let next = 0;
  const open = new Set<string>();
  return messages.filter((record) => {
    const offset = BigInt(record.offset);
    for (let entered = pending[next]; entered !== undefined && offset >= entered.first; entered = pending[++next]) open.add(entered.producerId);
    if (record.batchContext === undefined) return true;
    const { producerId, inTransaction } = record.batchContext;
    if (isAbortMarker(record)) {
      open.delete(producerId);
      return true;
    }
    return !(inTransaction && open.has(producerId));
  });
}
