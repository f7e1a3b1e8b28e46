import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock, type Pair, pairWithOne, splitWhitespace, StreamingContext, sum } from '../../src/index.js';

const DASHES = '-------------------------------------------';

async function printed<T>(input: T[][], num: number | undefined, via: 'context' | 'argument' = 'context'): Promise<string[]> {
  const lines: string[] = [];
  const clock = new ManualClock();
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock, output: (line) => lines.push(`ctx:${line}`) });
  const stream = ssc.queueStream(input);
  if (via === 'argument') stream.print(num, (line) => lines.push(line));
  else stream.print(num);
  ssc.start();
  await clock.advance(input.length * 1000);
  await ssc.stop();
  return via === 'argument' ? lines : lines.map((l) => l.slice(4));
}

test("print(n): Spark's header, the first n elements, '...' when there are more, then an empty line", async () => {
  assert.deepStrictEqual(await printed([[1, 2, 3], [4, 5]], 2, 'argument'), [
    DASHES, 'Time: 1000 ms', DASHES, '1', '2', '...', '',
    DASHES, 'Time: 2000 ms', DASHES, '4', '5', '',
  ]);
});

test('print() defaults to 10 elements and prints empty batches as a bare header', async () => {
  const lines = await printed([Array.from({ length: 11 }, (_, i) => i), []], undefined);
  assert.deepStrictEqual(lines.slice(0, 15), [DASHES, 'Time: 1000 ms', DASHES, '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '...', '']);
  assert.deepStrictEqual(lines.slice(15), [DASHES, 'Time: 2000 ms', DASHES, '']);
});

test('tuples print like Scala tuples: the seed word count', async () => {
  const lines: string[] = [];
  const clock = new ManualClock();
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock, output: (line) => lines.push(line) });
  ssc.queueStream([['长江 长江 这是 黄河']]).flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum).print();
  ssc.queueStream<Pair<string, number[]>>([[['k', [1, 2]]]]).print();
  ssc.start();
  await clock.advance(1000);
  await ssc.stop();
  assert.deepStrictEqual(lines, [
    DASHES, 'Time: 1000 ms', DASHES, '(长江,2)', '(这是,1)', '(黄河,1)', '',
    DASHES, 'Time: 1000 ms', DASHES, '(k,(1,2))', '',
  ]);
});

test('print(num, output) with an output that is not a function fails at the call, not in a batch', () => {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  assert.throws(() => ssc.queueStream<string>([]).print(10, 5 as unknown as (line: string) => void), (e: unknown) => (e as { code?: string }).code === 'ERR_SLUICE_INVALID_ARGUMENT' && /print\(num, output\) needs a function.*got the number 5/.test((e as Error).message));
});
