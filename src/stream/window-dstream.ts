import { Batch } from '../batch/batch.js';
import type { CheckpointableStream, StateReader } from '../checkpoint/checkpointable.js';
import { DStream } from '../engine/dstream.js';
import { WindowBuffer } from './window-buffer.js';
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
    this.buffer = new WindowBuffer(parent.slideDurationMs, () => this.zeroTime, (t) => parent.getOrCompute(t));
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
    this.buffer.dropThrough(time + this.slideMs - this.windowMs);
    const [head, ...rest] = batches;
    return head === undefined ? Batch.empty<T>() : head.union(...rest);
  }

  advanceTo(time: number): void {
    this.buffer.fillForNextWindow(time, this.windowMs, this.slideMs);
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
