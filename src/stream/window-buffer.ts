/**
 * The parent batches a windowed operator still needs, by parent batch time.
 * Windows keep their own copy (not only the parent's cache) because after a
 * recovery the parent cannot recompute batches from before the crash: the
 * buffer is what the checkpoint saves for them.
 *
 *   parent times  ... t−L | t−L+p ... t | ...      window at t = (t−L, t]
 *                          └── fetched once, kept until no later window needs them
 */
export class WindowBuffer<B> {
  private readonly entries = new Map<number, B | undefined>();
  /** Parent times up to this one have been fetched (or were never needed). */
  private filledThrough: number | undefined;
  /** Elements added (restored) for times not fetched yet, joined to the parent's batch when it is. */
  private readonly pending = new Map<number, B>();

  constructor(
    private readonly parentSlideMs: number,
    private readonly zeroTime: () => number | undefined,
    private readonly fetch: (time: number) => B | undefined,
    /** Joins two batches of one time (for add); without it, add is refused. */
    private readonly join?: (a: B | undefined, b: B) => B,
  ) {}

  /** The latest parent time at or before `time`. */
  alignDown(time: number): number {
    const zero = this.zeroTime() ?? 0;
    return zero + Math.floor((time - zero) / this.parentSlideMs) * this.parentSlideMs;
  }

  /** Fetches the parent batches in (from, to] not fetched yet; `from` and `to` are parent times. */
  fill(from: number, to: number): void {
    const zero = this.zeroTime() ?? 0;
    for (let t = Math.max(from, this.filledThrough ?? from, zero) + this.parentSlideMs; t <= to; t += this.parentSlideMs) {
      const extra = this.pending.get(t);
      this.pending.delete(t);
      const batch = this.fetch(t);
      this.entries.set(t, extra === undefined ? batch : this.joined(batch, extra));
    }
    if (this.filledThrough === undefined || to > this.filledThrough) this.filledThrough = to;
  }

  /**
   * After batch `time`: fetches every parent batch up to `time` that the next
   * window (of `windowMs`, on the `slideMs` grid) will read, so a checkpoint
   * written now holds them even though no window has read them yet.
   */
  fillForNextWindow(time: number, windowMs: number, slideMs: number): void {
    const zero = this.zeroTime();
    if (zero === undefined) return; // not reached by any output, so never started
    const nextWindow = zero + (Math.floor((time - zero) / slideMs) + 1) * slideMs;
    this.fill(nextWindow - windowMs, this.alignDown(time));
  }

  /** Times with a batch in (from, to], oldest first. */
  timesBetween(from: number, to: number): number[] {
    const times: number[] = [];
    for (const [t, batch] of this.entries) if (t > from && t <= to && batch !== undefined) times.push(t);
    return times.sort((a, b) => a - b);
  }

  get(time: number): B | undefined {
    return this.entries.get(time);
  }

  /** Forgets batches (and pending additions) at or before `time` (no later window reads them); returns them. */
  dropThrough(time: number): [number, B][] {
    const dropped: [number, B][] = [];
    for (const map of [this.entries, this.pending]) {
      for (const [t, batch] of [...map]) {
        if (t > time) continue;
        map.delete(t);
        if (batch !== undefined) dropped.push([t, batch]);
      }
    }
    return dropped;
  }

  /**
   * Adds `extra` to the batch at parent time `time` (state moved here from
   * another process): at once if that time was fetched or never will be
   * (before the start, or off this grid), else when it is fetched.
   */
  add(time: number, extra: B): void {
    const zero = this.zeroTime();
    const fetchedLater = zero === undefined || (time > zero && time > (this.filledThrough ?? zero) && (time - zero) % this.parentSlideMs === 0);
    if (fetchedLater) {
      const earlier = this.pending.get(time);
      this.pending.set(time, earlier === undefined ? extra : this.joined(earlier, extra));
    } else {
      this.entries.set(time, this.joined(this.entries.get(time), extra));
    }
  }

  /** Replaces every kept batch (and pending addition) with `change(batch)`; undefined leaves the time without a batch. */
  rewrite(change: (batch: B) => B | undefined): void {
    for (const [t, batch] of this.entries) if (batch !== undefined) this.entries.set(t, change(batch));
    for (const [t, batch] of this.pending) {
      const changed = change(batch);
      if (changed === undefined) this.pending.delete(t);
      else this.pending.set(t, changed);
    }
  }

  private joined(a: B | undefined, b: B): B {
    if (this.join === undefined) throw new Error('WindowBuffer.add needs a join function');
    return this.join(a, b);
  }

  /** The kept batches (null: the parent had none at that time), oldest first, and how far they were fetched. */
  snapshot<E>(encode: (batch: B) => E): { filledThrough: number | null; batches: [number, E | null][] } {
    const batches: [number, E | null][] = [...this.entries]
      .sort(([a], [b]) => a - b)
      .map(([t, batch]) => [t, batch === undefined ? null : encode(batch)]);
    return { filledThrough: this.filledThrough ?? null, batches };
  }

  restore(filledThrough: number | null, batches: readonly (readonly [number, B | undefined])[]): void {
    this.entries.clear();
    for (const [t, batch] of batches) this.entries.set(t, batch);
    this.filledThrough = filledThrough ?? undefined;
  }
}
