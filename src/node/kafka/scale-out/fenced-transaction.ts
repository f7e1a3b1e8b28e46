/**
 * A scale-out batch transaction seen by the batch's outputs. Once another
 * process fenced this one (it claimed one of this process's partitions),
 * every write of the batch is void: the transaction will be aborted and the
 * process resets after the batch. So a fenced write is not an output
 * failure (which would stop the context): it is dropped and reported
 * through `onFenced`. Writes are sent in chunks under the broker's request limit.
 */
import { KafkaError } from '../../../errors.js';
import type { KafkaTransaction } from '../client.js';
import { chunks } from '../to-kafka.js';

/** True when `error` says this producer's transactional id was fenced. */
export function isFenced(error: unknown): boolean {
  return error instanceof KafkaError && error.code === 'ERR_SLUICE_KAFKA_FENCED';
}

/** A transaction that writes nothing: the batch of a producer already fenced. */
export const voidTransaction: KafkaTransaction = {
  send: async () => undefined,
  commit: async () => undefined,
  abort: async () => undefined,
};

/** `tx` with fenced writes dropped (see the module comment); `fenced()` says whether the batch is already void. */
export function fencedTransaction(tx: KafkaTransaction, fenced: () => boolean, onFenced: () => void): KafkaTransaction {
  return {
    send: async (topic, records) => {
      if (fenced()) return;
      try {
        for (const chunk of chunks(records)) await tx.send(topic, chunk);
      } catch (error) {
        if (!isFenced(error)) throw error;
        onFenced();
      }
    },
    commit: (offsets) => tx.commit(offsets),
    abort: () => tx.abort(),
  };
}
