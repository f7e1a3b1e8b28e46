/**
 * A corpus is an endless, deterministic sequence of lines (without their
 * '\n'). The same sequence is offered two ways: line by line (for a TCP
 * generator that writes at a given rate) and as one UTF-8 buffer (for
 * benchmarks and tests), and the buffer is exactly the lines joined by '\n'
 * with a final '\n'.
 */
export interface LineSource {
  nextLine(): string;
}

export interface FillOptions {
  /** Upper bound on the buffer size; only whole lines are written. */
  readonly byteLength: number;
  /** Stop after this many lines even if `byteLength` is not reached. */
  readonly maxLines?: number;
}

const encoder = new TextEncoder();

/**
 * Encodes whole lines, each followed by '\n', until the next one would not
 * fit in `byteLength` (or `maxLines` are written). The result is never longer
 * than `byteLength` and is shorter by less than one line.
 */
export function fillBytes(source: LineSource, options: FillOptions): Uint8Array {
  const { byteLength } = options;
  const maxLines = options.maxLines ?? Infinity;
  if (!Number.isInteger(byteLength) || byteLength < 0) throw new RangeError(`byteLength must be a non-negative integer, got ${byteLength}`);
  const out = new Uint8Array(byteLength);
  let length = 0;
  for (let lines = 0; lines < maxLines; lines++) {
    const line = source.nextLine() + '\n';
    // encodeInto may write part of a line when it does not fit; that tail is
    // beyond `length` and is cut off below.
    const { read, written } = encoder.encodeInto(line, out.subarray(length));
    if (read < line.length) break;
    length += written;
  }
  return length === byteLength ? out : out.slice(0, length);
}

/** The source as an endless iterator of lines (without '\n'). */
export function* iterateLines(source: LineSource): Generator<string, never, undefined> {
  for (;;) yield source.nextLine();
}
