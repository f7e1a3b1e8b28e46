/**
 * What a SharedMemoryPool can be asked for (options, test hooks) and what it
 * reports (stats), with the defaults the options document: the pool's
 * public surface, apart from the machinery that honours it.
 */

export const DEFAULT_MIN_PARTITION_BYTES = 256 * 1024;
export const DEFAULT_STALL_TIMEOUT_MS = 30_000;
export const DEFAULT_PARTITIONS = 8;
export const DEFAULT_MIN_BYTES_PER_KEY = 32;

/**
 * How the partial tables of a batch become one result.
 * - 'auto' (the default): a word count of a batch in shared memory (lent by
 *   allocInput, as the engine's receivers do) is counted against the key
 *   cache once it knows the stream's words: workers count known words into
 *   per-id counts, which are added id by id (no table merge, no key lookup),
 *   and only the few new words go through tables (src/kernels/known-words.ts).
 *   Everything else is merged by 'ranges'.
 * - 'ranges': worker j takes hash range j
 *   of every partial table at once, folding each key into the entry partial
 *   0 has for it, in place, or into its own overflow table when partial 0
 *   lacks it; then the export lists partial 0 and sorts the overflow keys
 *   into first-occurrence order, one task per partial, also in parallel.
 *   One round each, every worker's share about (keys of all partials) /
 *   workers, and nothing serial that grows with the worker count.
 * - 'fold': for each partial k = 1, 2, ... in turn, worker j folds slice j
 *   of partial k's entries straight into the keys partial 0 has already
 *   (lookups and value updates of distinct entries only, so the workers
 *   share one table safely), then the owner adds the keys partial 0 lacked,
 *   in partial k's order; partial 0 is then read alone. Cheapest when partitions repeat each other's keys
 *   (a word count's vocabulary), since adding keys is its serial part.
 * - 'hash-targets': worker j re-inserts bucket j of every partial into its
 *   own target table, all in parallel, walking every partial and hashing
 *   every key.
 * 'fold' runs one round per partial and the owner inserts its new keys;
 * 'hash-targets' makes each worker hash every key of every partial: both
 * slow down as workers are added (BENCHMARKS.md, issue 14). They stay
 * selectable for comparison.
 */
export const MERGE_STRATEGIES = ['auto', 'ranges', 'fold', 'hash-targets'] as const;
/** How partial tables of the workers are merged: `auto` (known words, else `ranges`), or `ranges` / `fold` / `hash-targets` forced. */
export type MergeStrategy = (typeof MERGE_STRATEGIES)[number];

/** The phases of one pool task, named in stats and test hooks. */
export type PoolPhase = 'count' | 'merge' | 'export';

/** Test and benchmark hooks (to kill a worker mid-batch deterministically, to time each command alone). */
export interface WorkerPoolHooks {
  /**
   * Posts one command at a time and waits for its reply before posting the
   * next, so that beforeCommand → afterReply times one command with no other
   * worker competing for the cores (bench:scaling's critical-path model).
   */
  readonly oneAtATime?: boolean;
  /** Called before each command is posted to a worker. */
  beforeCommand?(event: {
    readonly phase: PoolPhase;
    readonly worker: number;
    readonly attempt: number;
    /** Counts the pool's parallel rounds (one per phase of a batch, or per folded partial): commands of one round may run at once. */
    readonly round: number;
    /** Terminates the worker's thread from outside (noticed after stallTimeoutMs). */
    terminate(): void;
    /** Makes the worker exit with this code when it takes the command (noticed at once). */
    exit(code: number): void;
  }): void;
  /** Called when a worker's reply to a command has been read, before the owner acts on it. */
  afterReply?(event: {
    readonly phase: PoolPhase;
    readonly worker: number;
    readonly attempt: number;
    readonly round: number;
    /** How long the command ran on the worker, in ms (its wake-up and reply not included). */
    readonly commandMs: number;
    /**
     * Wakes the worker from its wait for the next command without posting
     * one, as a notify that arrives late (the owner was descheduled between
     * posting a command and notifying) does; a worker must then run nothing.
     * Returns false when the worker was not seen waiting within a second.
     */
    wake(): boolean;
  }): void;
}

/** Options of `createWorkerPool(options)` and `browserExecutor(options)`. */
export interface WorkerPoolOptions {
  /** Worker threads. Default: the host's core count. */
  readonly workers?: number;
  /** Initial size of the shared memory in 64 KiB pages (at least 32). */
  readonly initialPages?: number;
  /** Pages the shared memory may grow to (default 65536 = 4 GiB); larger batches fail with ERR_SLUICE_KERNEL_MEMORY. */
  readonly maximumPages?: number;
  /**
   * Partitions a delimited float sum is cut into (fewer for small batches),
   * independent of the worker count so that sums are identical to the bit
   * with any number of workers; fewer partitions than workers leave workers
   * idle. Default 8, or the worker count when that is larger: pools of up
   * to 8 workers give the same bits, and a larger pool uses every worker.
   * (Word counts, counts, min and max are exact: one partition per worker.)
   */
  readonly partitions?: number;
  /** Batches below this many bytes run inline on the calling thread; partitions are at least this big. Default 256 KiB. */
  readonly minPartitionBytes?: number;
  /**
   * A batch with fewer bytes than this per key of its partial tables is
   * mostly distinct keys: merging partitions would cost about as much as
   * counting, so the next batch of that kind runs as one partition (no
   * merge), until batches repeat their keys again. 0 always splits. Default 32.
   */
  readonly minBytesPerKey?: number;
  /** How partial tables are merged (see MergeStrategy). Default 'auto'. */
  readonly mergeStrategy?: MergeStrategy;
  /** A worker that reports nothing for this long during a batch is presumed dead and replaced. Default 30 s. */
  readonly stallTimeoutMs?: number;
  readonly hooks?: WorkerPoolHooks;
}

/** Counters of a worker pool (tasks, retries, merge strategies chosen). */
export interface WorkerPoolStats {
  /** Batches split across workers. */
  parallelBatches: number;
  /** Batches small enough to run inline. */
  inlineBatches: number;
  /** Parallel batches cut into more than one partition (and so merged). */
  mergedBatches: number;
  /** Merged batches whose partials were folded into the first one ('fold'). */
  foldedBatches: number;
  /** Merged batches merged by hash ranges ('ranges', what 'auto' uses). */
  rangeMergedBatches: number;
  /**
   * Merged word counts counted against the key cache ('auto', once the
   * cache knows the stream's words and the batch lies in shared memory):
   * per-id counts added up, no table merge.
   */
  knownWordBatches: number;
  /** Batch bytes copied into shared memory (none for batches written there, in regions from allocInput()). */
  copiedBytes: number;
  /** Attempts run again after a worker was lost. */
  retries: number;
  /** Worker threads started to replace lost ones. */
  replacedWorkers: number;
  /** Milliseconds spent in each phase of parallel batches, summed (for benchmarks). */
  countMs: number;
  mergeMs: number;
  /** Reading the merged result out of shared memory (key decoding included). */
  exportMs: number;
}
