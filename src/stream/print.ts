import type { Batch } from '../batch/batch.js';
import { formatElement } from '../batch/format.js';
import { InvalidArgumentError } from '../errors.js';
import { requireFunction } from '../arguments.js';
import { DStream } from '../engine/dstream.js';
import { ForEachDStream } from './foreach-dstream.js';

const RULE = '-------------------------------------------';

/** Spark's print(n) text for one batch, line by line. */
export function printLines<T>(batch: Batch<T>, time: number, num: number): string[] {
  const first = batch.take(num + 1);
  const lines = [RULE, `Time: ${time} ms`, RULE];
  for (const value of first.slice(0, num)) lines.push(formatElement(value));
  if (first.length > num) lines.push('...');
  lines.push('');
  return lines;
}

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /**
     * Prints the first `num` (default 10) elements of every batch under
     * Spark's header, through `output` (default: the context's, console.log).
     */
    print(num?: number, output?: (line: string) => void): void;
  }
}

DStream.prototype.print = function print<T>(this: DStream<T>, num = 10, output?: (line: string) => void): void {
  if (!Number.isInteger(num) || num < 0) throw new InvalidArgumentError(`print(num) needs a non-negative integer, got ${num}`);
  if (output !== undefined) requireFunction('print(num, output)', output, 'print(10, (line) => lines.push(line))');
  const write = output ?? this.context.output;
  new ForEachDStream(this, (batch, time) => {
    for (const line of printLines(batch, time, num)) write(line);
  }).register();
};
