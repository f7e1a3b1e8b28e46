import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Batch, ManualClock, StreamingContext, type BatchInfo } from '../../src/index.js';
import { InputDStream } from '../../src/engine/input-dstream.js';

/** A source that reads later (as Kafka's direct stream does): each batch's data arrives when the test resolves it. */
class LaterInput extends InputDStream<string> {
  readonly reads = new Map<number, { resolve: (lines: string[]) => void; reject: (error: Error) => void }>();
  closed = 0;

  protected take(): Batch<string> {
    throw new Error('reads through takeLater');
  }

  protected override takeLater(time: number): Promise<{ batch: Batch<string> }> {
    return new Promise((resolve, reject) => {
      this.reads.set(time, { resolve: (lines) => resolve({ batch: Batch.of(lines) }), reject });
    });
  }

  override close(): void {
    this.closed++;
  }
}

async function turnsUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((r) => setImmediate(r));
}

function setup(): { ssc: StreamingContext; clock: ManualClock; input: LaterInput; infos: BatchInfo[]; seen: [number, string[]][] } {
  const clock = new ManualClock(0);
  const ssc = new StreamingContext({ batchIntervalMs: 100, clock, kernels: null });
  const input = new LaterInput(ssc);
  const infos: BatchInfo[] = [];
  const seen: [number, string[]][] = [];
  ssc.addStreamingListener({ onBatchCompleted: ({ batchInfo }) => infos.push(batchInfo) });
  input.foreachRDD((batch, time) => void seen.push([time, batch.collect()]));
  return { ssc, clock, input, infos, seen };
}

describe('InputDStream.takeLater (inputs that read after batch time)', () => {
  it('runs each batch once its read settles, in batch order, with the records counted and inputMetadata reported', async () => {
    const { ssc, clock, input, infos, seen } = setup();
    ssc.start();
    const step = clock.advance(200);
    await turnsUntil(() => input.reads.size === 2);
    assert.deepEqual([...input.reads.keys()], [100, 200], 'both batches asked for their data at batch time');
    assert.deepEqual(seen, [], 'no batch ran before its data arrived');
    input.reads.get(200)?.resolve(['c']);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, [], 'batch 200 waits behind batch 100');
    ssc.setInputMetadata(100, input.id, { note: 'read 2' });
    input.reads.get(100)?.resolve(['a', 'b']);
    await step;
    assert.deepEqual(seen, [[100, ['a', 'b']], [200, ['c']]]);
    assert.deepEqual(infos.map((i) => i.numRecords), [2, 1]);
    assert.deepEqual(infos[0]?.inputMetadata, { [input.id]: { note: 'read 2' } });
    assert.equal(infos[1]?.inputMetadata, undefined);
    await ssc.stop();
    assert.equal(input.closed, 1, 'close() once the context stopped');
  });

  it('a read that fails fails its batch (the cause kept) and stops the context', async () => {
    const { ssc, clock, input, infos } = setup();
    ssc.start();
    const step = clock.advance(100);
    await turnsUntil(() => input.reads.size === 1);
    input.reads.get(100)?.reject(new Error('broker gone'));
    await step;
    assert.match(String(infos[0]?.failure?.message), /Batch 100 could not read its input: broker gone/);
    assert.equal((infos[0]?.failure?.cause as Error).message, 'broker gone');
    await assert.rejects(ssc.awaitTermination(), /could not read its input/);
    assert.equal(input.closed, 1);
  });
});
