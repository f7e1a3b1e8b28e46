import { Batch, type Pair } from '../batch/batch.js';
import { formatElement } from '../batch/format.js';
import type { CheckpointableStream, StateReader } from '../checkpoint/checkpointable.js';
import { DStream } from '../engine/dstream.js';
import { IllegalStateError, ScaleOutError } from '../errors.js';
import type { PartitionedState, StateChange } from './partitioned-state.js';
import { WindowBuffer } from './window-buffer.js';
import { WindowKeyIndex } from './window-key-index.js';
import { groupWindowState, windowPartitionKey, windowValueChange } from './window-key-state.js';
import { checkWindow } from './window-args.js';

/**
 * `window(windowMs, slideMs)`: every `slideMs`, the elements of the parent's
 * batches in (t − windowMs, t], oldest batch first (Spark's WindowedDStream).
 * Batches exist only at times t where (t − zeroTime) is a multiple of the
 * slide; a window with no data is an empty batch. Its checkpoint state is
 * the parent batches later windows still need.
 */
export class WindowedDStream<T> extends DStream<T> implements CheckpointableStream {
  readonly checkpointKind = 'window';
  readonly dependencies: readonly DStream<unknown>[];
  readonly windowMs: number;
  private readonly slideMs: number;
  private readonly buffer: WindowBuffer<Batch<T>>;
  /** Partitioned state: the buffer by key, and each batch's changes. */
  private byKey: WindowKeyIndex<unknown, unknown[]> | undefined;
  /** Parent times up to this one have left the buffer. */
  private droppedThrough = -Infinity;

  constructor(
    readonly parent: DStream<T>,
    windowMs: number,
    slideMs?: number,
  ) {
    const checked = checkWindow(parent, 'window', windowMs, slideMs);
    super(parent.context);
    this.dependencies = [parent];
    this.windowMs = checked.windowMs;
    this.slideMs = checked.slideMs;
    this.buffer = new WindowBuffer(parent.slideDurationMs, () => this.zeroTime, (t) => this.fetch(t), (a, b) => (a === undefined ? b : a.union(b)));
  }

  override get slideDurationMs(): number {
    return this.slideMs;
  }

  override parentRememberDurationMs(): number {
    return (this.rememberDurationMs ?? this.slideMs) + this.windowMs;
  }

  compute(time: number): Batch<T> {
    const from = time - this.windowMs;
    this.buffer.fill(from, time);
    const batches = this.buffer.timesBetween(from, time).map((t) => this.buffer.get(t) as Batch<T>);
    // Partitioned, a key's values may move to a process whose windows slide at other times: keep what any window after this batch needs.
    const dropThrough = time + (this.byKey === undefined ? this.slideMs : this.parent.slideDurationMs) - this.windowMs;
    for (const [t, batch] of this.buffer.dropThrough(dropThrough)) this.byKey?.removed(t, batch.collect() as unknown as Pair<unknown, unknown>[]);
    this.droppedThrough = Math.max(this.droppedThrough, dropThrough);
    const [head, ...rest] = batches;
    return head === undefined ? Batch.empty<T>() : head.union(...rest);
  }

  advanceTo(time: number): void {
    this.buffer.fillForNextWindow(time, this.windowMs, this.slideMs);
  }

  private fetch(time: number): Batch<T> | undefined {
    const batch = this.parent.getOrCompute(time);
    if (batch !== undefined && this.byKey !== undefined) this.byKey.appended(time, keyedElements(batch.collect()));
    return batch;
  }

  get partitionedStateEnabled(): boolean {
    return this.byKey !== undefined;
  }

  enablePartitionedState(): void {
    this.byKey ??= new WindowKeyIndex<unknown, unknown[]>(this, this.parent.slideDurationMs, 'window');
  }

  /** Entries are `[[key, time], [the key's values in that batch]]` (see window-key-state.ts). */
  changesAt(time: number): StateChange[] {
    const byKey = this.byKey;
    if (byKey === undefined) throw new IllegalStateError('window: changesAt needs enablePartitionedState() before start()');
    this.advanceTo(time);
    return byKey.changesAt(time, ({ values }) => values.map(([key, t]) => windowValueChange(key, t, byKey.valueAt(key, t))));
  }

  partitionKeyOf(changelogKey: unknown): unknown {
    return windowPartitionKey(changelogKey);
  }

  dropKeys(drop: (key: unknown) => boolean): void {
    this.buffer.rewrite((batch) => batch.filter((element) => !drop((element as unknown as Pair<unknown, unknown>)[0])));
    for (const key of this.byKey?.keys() ?? []) if (drop(key)) this.byKey?.forget(key);
  }

  /** Takes in keys' values moved from another process, leaving out those from before this process's window. */
  restoreEntries(entries: Iterable<readonly [unknown, unknown]>): void {
    const byKey = this.byKey;
    if (byKey === undefined) throw new IllegalStateError('window: restoreEntries needs enablePartitionedState() before start()');
    const restored = groupWindowState<unknown, unknown[]>(entries, { operator: 'window', lists: true, inverse: false, sums: false });
    this.dropKeys((key) => restored.has(key));
    for (const [key, state] of restored) {
      for (const [t, values] of state.values) {
        if (t <= this.droppedThrough) continue;
        const pairs = values.map((value): Pair<unknown, unknown> => [key, value]);
        this.buffer.add(t, Batch.of(pairs) as unknown as Batch<T>);
        byKey.appended(t, pairs);
      }
    }
  }

  stateKeys(): Iterable<unknown> {
    return this.byKey?.keys() ?? [];
  }

  checkpointState(): unknown {
    return { windowMs: this.windowMs, slideMs: this.slideMs, ...this.buffer.snapshot((batch) => batch.partitions) };
  }

  restoreState(state: unknown, reader: StateReader): void {
    const saved = reader.record(state);
    reader.same(saved.windowMs, this.windowMs, 'the window length');
    reader.same(saved.slideMs, this.slideMs, 'the slide');
    this.buffer.restore(
      saved.filledThrough === null ? null : reader.number(saved.filledThrough, 'filledThrough'),
      reader.array(saved.batches, 'the window buffer').map((entry) => {
        const [t, partitions] = reader.array(entry, 'a buffered batch');
        const parts = partitions === null ? undefined : reader.array(partitions, 'a buffered batch').map((p) => reader.array(p, 'a partition') as T[]);
        return [reader.number(t, 'a batch time'), parts === undefined ? undefined : Batch.fromPartitions(parts)] as const;
      }),
    );
  }
}

/** The elements as pairs; scale-out refuses a window of anything else (its elements have no key to move with). */
function keyedElements(elements: readonly unknown[]): Pair<unknown, unknown>[] {
  for (const element of elements) {
    if (!Array.isArray(element) || element.length !== 2) {
      throw new ScaleOutError(
        'ERR_SLUICE_SCALE_OUT_UNSUPPORTED',
        `window() in scale-out keeps its elements with the partition of their key, so they must be [key, value] pairs; got ${formatElement(element)}. ` +
          'Window the pairs (e.g. words.map(pairWithOne).reduceByKeyAndWindow(sum, windowMs)), or keep this window in a single process (no scaleOut).',
      );
    }
  }
  return elements as Pair<unknown, unknown>[];
}

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /**
     * Every `slideMs` (default: this stream's slide), all elements of this
     * stream's batches in the last `windowMs`. Both must be multiples of
     * this stream's slide (the batch interval for input streams).
     */
    window(windowMs: number, slideMs?: number): DStream<T>;
  }
}

DStream.prototype.window = function window<T>(this: DStream<T>, windowMs: number, slideMs?: number): DStream<T> {
  return new WindowedDStream(this, windowMs, slideMs);
};
