import kernelModule from 'sluice/kernel.wasm';
import { ManualClock, StreamingContext, loadKernels, pairWithOne, runningSum, splitWhitespace } from 'sluice/edge';
import { type KeyValueBinding, KvCheckpointStore } from './kv-checkpoint-store.js';
import { RequestReceiver } from './request-receiver.js';

const kernels = loadKernels({ module: kernelModule }); // rejects rather than fall back to JS

export default {
  async fetch(request: Request, env: { SLUICE_STATE: KeyValueBinding }): Promise<Response> {
    const lines = new RequestReceiver('lines');
    const counts: Record<string, number> = {};
    const store = new KvCheckpointStore(env.SLUICE_STATE, 'word-counts');
    const ssc = await StreamingContext.getOrCreate(store, async () => {
      const context = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock(), kernels: await kernels });
      context.receiverStream(lines).flatMap(splitWhitespace).map(pairWithOne).updateStateByKey(runningSum).name('word-counts')
        .foreachRDD((batch) => void Object.assign(counts, Object.fromEntries(batch.collect())));
      return context;
    });
    ssc.start();
    lines.push((await request.text()).split('\n').filter((line) => line !== ''));
    const info = await ssc.runBatch(); // info.kernels === 'wasm', info.kernelCalls === 1
    await ssc.stop();
    return Response.json({ kernels: info.kernels, kernelCalls: info.kernelCalls, counts });
  },
};
