import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type BatchInfo, InvalidArgumentError, JsKernels, KernelError, type KernelsChoice, ManualClock, StreamingContext, createKernels, defaultKernels, pairWithOne,
  setDefaultKernels, splitWhitespace, sum,
} from '../../src/internals.js';

async function wordCount(kernels: KernelsChoice | undefined, lines: readonly string[] = ['b a b', 'c']): Promise<{ ssc: StreamingContext; info: BatchInfo; got: unknown[] }> {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock(), kernels });
  const got: unknown[] = [];
  ssc.queueStream([lines]).flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum).foreachRDD((batch) => void got.push(...batch.collect()));
  ssc.start();
  const info = await ssc.runBatch();
  await ssc.stop();
  return { ssc, info, got };
}

test('the kind of kernels is on the context and on every BatchInfo, with the fused kernel calls', async () => {
  const expected = [['b', 2], ['a', 1], ['c', 1]];
  for (const [choice, kind, calls] of [[undefined, 'wasm', 1], ['auto', 'wasm', 1], ['wasm', 'wasm', 1], ['js', 'js', 1], [null, 'none', 0]] as const) {
    const { ssc, info, got } = await wordCount(choice);
    assert.equal(ssc.kernelsKind, kind, String(choice));
    assert.equal(info.kernels, kind, String(choice));
    assert.equal(info.kernelCalls, calls, String(choice));
    assert.deepEqual(got, expected, String(choice));
  }
});

test("a batch the kernels cannot take as lines (a record holding '\\n') runs on JS even with WASM kernels, and kernelCalls shows it", async () => {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock(), kernels: 'wasm' });
  const infos: BatchInfo[] = [];
  ssc.addStreamingListener({ onBatchCompleted: ({ batchInfo }) => void infos.push(batchInfo) });
  const got: unknown[] = [];
  ssc.queueStream([['b a\nb', 'c']]).flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum).foreachRDD((batch) => void got.push(...batch.collect()));
  ssc.start();
  await ssc.runBatch();
  await ssc.stop();
  assert.deepEqual(infos.map((i) => [i.kernels, i.kernelCalls]), [['wasm', 0]]);
  assert.deepEqual(got, [['b', 2], ['a', 1], ['c', 1]]);
});

test("kernels: 'wasm' throws when only the JS fallback is available, with the reason; 'auto' takes the fallback visibly", () => {
  const wasm = defaultKernels();
  setDefaultKernels(new JsKernels('Could not compile the embedded kernel module: disallowed by embedder'));
  try {
    assert.throws(() => new StreamingContext({ batchIntervalMs: 1000, kernels: 'wasm' }), (error: unknown) => {
      assert.ok(error instanceof KernelError);
      assert.equal(error.code, 'ERR_SLUICE_KERNEL_LOAD');
      assert.match(error.message, /disallowed by embedder/);
      assert.match(error.message, /loadKernels\(\{ module \}\)/);
      return true;
    });
    const auto = new StreamingContext({ batchIntervalMs: 1000 });
    assert.equal(auto.kernelsKind, 'js');
    assert.match(auto.kernels?.fallbackReason ?? '', /disallowed by embedder/);
    assert.equal(new StreamingContext({ batchIntervalMs: 1000, kernels: createKernels({ fallback: false }) }).kernelsKind, 'wasm', 'explicit kernels are used as given');
  } finally {
    setDefaultKernels(wasm);
  }
});

test('an unknown kernels option is refused', () => {
  assert.throws(() => new StreamingContext({ batchIntervalMs: 1000, kernels: 'simd' as unknown as KernelsChoice }), InvalidArgumentError);
});
