import { Batch } from '../batch/batch.js';
import type { StreamingContext } from './streaming-context.js';
import { DStream } from './dstream.js';

/**
 * A source stream. At each batch time the job generator calls `allocate(t)`
 * on every input before submitting the batch, so the batch's data is fixed
 * when its time comes (records received in (t − interval, t]) even if the
 * batch runs later, behind slower batches.
 */
export abstract class InputDStream<T> extends DStream<T> {
  readonly dependencies: readonly DStream<unknown>[] = [];
  private readonly allocated = new Map<number, Batch<T>>();
  /** Source position right after each allocated batch (replayable sources only), for checkpoints. */
  private readonly positions = new Map<number, unknown>();

  constructor(context: StreamingContext) {
    super(context);
    context.graph.addInputStream(this as InputDStream<unknown>);
  }

  override get slideDurationMs(): number {
    return this.context.batchIntervalMs;
  }

  /** Called once when the context starts (receivers start here); must not block. */
  start(): void {}

  /** Called once when the context stops (a graceful stop calls it before the last batches run: stop receiving here). */
  stop(): void | Promise<void> {}

  /** Called once after the context stopped and no batch runs any more: close connections the batches needed. */
  close(): void | Promise<void> {}

  /** The data of batch `time`, taken from the source now. */
  protected abstract take(time: number): Batch<T>;

  /**
   * For sources that must ask a remote system (Kafka's direct stream): when
   * this returns a promise, batch `time` runs once it settles, with its batch
   * and the source position right after it. Batch times still call this in
   * order; the source chains its own requests. Undefined (the default) uses take().
   */
  protected takeLater(_time: number): Promise<{ batch: Batch<T>; position?: unknown }> | undefined {
    return undefined;
  }

  /** True when data was received that no batch has taken yet (graceful stop runs one more batch for it). */
  hasPendingData(): boolean {
    return false;
  }

  /**
   * False only when a batch generated now would certainly be empty. When the
   * engine is behind (after downtime, or a stall) it skips the overdue batch
   * times for which no input might have data instead of running each (see
   * JobGenerator). Default true: an input that cannot tell is never skipped.
   */
  mightHaveData(): boolean {
    return true;
  }

  /**
   * Where the source stands (what it has handed to batches so far), as
   * JSON-like data, or undefined when it cannot replay from a position.
   * Checkpoints save it per batch; recovery passes it to restorePosition.
   */
  checkpointPosition(): unknown {
    return undefined;
  }

  /** Called before start() when recovering: continue right after `position`. */
  restorePosition(_position: unknown): void {}

  /** Where a run that has not started stands (recorded by getOrCreate before the first start). Default: checkpointPosition(). */
  startPosition(): unknown {
    return this.checkpointPosition();
  }

  /** The position saved right after batch `time` was allocated (undefined when none). */
  positionAfter(time: number): unknown {
    return this.positions.get(time);
  }

  /** Called when batch `batch` is dropped (older than the remember duration, or the context stopped): free what it holds. */
  protected forget(_batch: Batch<T>): void {}

  /** The context has stopped: every batch still held is forgotten. */
  override release(): void {
    super.release();
    for (const batch of this.allocated.values()) this.forget(batch);
    this.allocated.clear();
  }

  /**
   * Fixes the data of batch `time`; returns its record count
   * (BatchInfo.numRecords), or a promise of it for a source that reads later
   * (see takeLater); the batch then runs once it settles.
   */
  allocate(time: number): number | Promise<number> {
    const later = this.takeLater(time);
    if (later !== undefined) return later.then(({ batch, position }) => this.fix(time, batch, position));
    const batch = this.take(time);
    return this.fix(time, batch, this.context.checkpointStore === undefined ? undefined : this.checkpointPosition());
  }

  private fix(time: number, batch: Batch<T>, position: unknown): number {
    this.allocated.set(time, batch);
    if (position !== undefined && this.context.checkpointStore !== undefined) this.positions.set(time, position);
    return batch.count();
  }

  compute(time: number): Batch<T> | undefined {
    return this.allocated.get(time) ?? Batch.empty<T>();
  }

  override clearMetadata(time: number): void {
    super.clearMetadata(time);
    // Windows read input batches no job computed yet, so allocations live as long as cached batches.
    const keepAfter = time - (this.rememberDurationMs ?? this.slideDurationMs);
    for (const [t, batch] of [...this.allocated]) {
      if (t > keepAfter) continue;
      this.allocated.delete(t);
      this.forget(batch);
    }
    for (const t of [...this.positions.keys()]) if (t <= keepAfter) this.positions.delete(t);
  }
}
