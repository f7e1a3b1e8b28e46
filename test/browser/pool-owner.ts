// Runs in a module Web Worker of the worker-pool browser test: the owner
// thread of a BrowserWorkerPool (pool calls block, which browsers allow in
// workers only). Posts what it saw back to the page.
import { BrowserWorkerPool, ManualClock, StreamingContext, canRunWorkerPool, createKernels, pairWithOne, splitWhitespace, sum } from '../../src/internals.js';
import { corpusBytes } from '../../src/corpus/index.js';

const scope = globalThis as unknown as { postMessage(message: unknown): void };

function same(a: { keys: readonly string[]; values: Float64Array }, b: { keys: readonly string[]; values: Float64Array }): boolean {
  return a.keys.join('\n') === b.keys.join('\n') && a.values.length === b.values.length && a.values.every((v, i) => v === b.values[i]);
}

async function printed(kernels: ConstructorParameters<typeof StreamingContext>[0]['kernels'], lines: string[]): Promise<string[]> {
  const clock = new ManualClock();
  const out: string[] = [];
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock, kernels, output: (line) => out.push(line) });
  ssc.queueStream([lines]).flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum).print(20);
  ssc.start();
  await clock.advance(1000);
  await ssc.stop();
  return out;
}

async function main(): Promise<unknown> {
  const reference = createKernels({ fallback: false });
  const bytes = corpusBytes('mixed', 300_000);
  const expected = reference.wordCount(bytes);
  const orders = corpusBytes('orders', 100_000, { malformedRate: 0.05 });
  const spec = { delimiter: ',', keyField: 1, valueField: 2, reducer: 'count', expectedFields: 3 } as const;
  const expectedOrders = reference.aggregateDelimited(orders, spec);
  const lines = new TextDecoder().decode(bytes).split('\n').filter((line) => line !== '');
  const inlinePrinted = await printed(reference, lines);
  const runs: unknown[] = [];
  for (const workers of [1, 2]) {
    let killed = false;
    const pool = new BrowserWorkerPool({
      workers,
      minPartitionBytes: 4096,
      hooks: {
        beforeCommand: (event) => {
          if (!killed && event.worker === workers - 1 && event.phase === 'count') {
            killed = true;
            event.exit(70);
          }
        },
      },
    });
    await pool.ready();
    const wordCount = same(pool.wordCount(bytes), expected);
    const got = pool.aggregateDelimited(orders, spec);
    const ordersSame = same(got.result, expectedOrders.result) && got.malformed === expectedOrders.malformed;
    const printedSame = JSON.stringify(await printed(pool, lines)) === JSON.stringify(inlinePrinted);
    runs.push({ workers, parallelism: pool.parallelism, wordCount, orders: ordersSame, printed: printedSame, retries: pool.stats.retries, parallelBatches: pool.stats.parallelBatches });
    await pool.close();
  }
  return { canRun: canRunWorkerPool(), runs };
}

main().then(
  (result) => scope.postMessage(result),
  (error: unknown) => scope.postMessage({ error: String((error as Error)?.stack ?? error) }),
);
