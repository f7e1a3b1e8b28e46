/** What a scale-out process reports about its share of the group (BatchInfo.inputMetadata[streamId].scaleOut). */
export interface ScaleOutMetrics {
  /** The partitions (tasks) this process owns now: partition i of every topic of the group. */
  readonly ownedPartitions: readonly number[];
  /** Assignment changes applied (partitions gained or lost between batches). */
  readonly rebalances: number;
  /** Times this process was fenced (another process claimed one of its partitions) and started over from the committed state. */
  readonly resets: number;
  /** State restores from the changelogs: how many, and what they read in total. */
  readonly restores: number;
  readonly restoredRecords: number;
  readonly restoredBytes: number;
  readonly restoreMs: number;
  /** The transactional id this process commits with now (changes at each reset). */
  readonly transactionalId: string;
}

/** The mutable counters behind ScaleOutMetrics. */
export class ScaleOutCounters {
  rebalances = 0;
  resets = 0;
  restores = 0;
  restoredRecords = 0;
  restoredBytes = 0;
  restoreMs = 0;

  addRestore(figures: { records: number; bytes: number; ms: number }): void {
    this.restores++;
    this.restoredRecords += figures.records;
    this.restoredBytes += figures.bytes;
    this.restoreMs += figures.ms;
  }

  snapshot(owned: Iterable<number>, transactionalId: string): ScaleOutMetrics {
    return {
      ownedPartitions: [...owned].sort((a, b) => a - b),
      rebalances: this.rebalances,
      resets: this.resets,
      restores: this.restores,
      restoredRecords: this.restoredRecords,
      restoredBytes: this.restoredBytes,
      restoreMs: this.restoreMs,
      transactionalId,
    };
  }
}
