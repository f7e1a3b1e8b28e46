/**
 * Runs INSIDE workerd, bundled from the full `sluice` entry (with its
 * embedded kernel and the browser pool code) with no `--define` for
 * `import.meta.url`: importing it must not throw. Compiling the embedded
 * bytes inside a request is refused by workerd; that must be visible.
 */
import kernelModule from 'sluice/kernel.wasm';
import { KernelError, ManualClock, StreamingContext, createKernels, pairWithOne, splitWhitespace, sum } from 'sluice';

function check(ok: boolean, what: string, got?: unknown): void {
  if (!ok) throw new Error(`${what}${got === undefined ? '' : `: got ${JSON.stringify(got)}`}`);
}

export const fullCoreImportsAndReportsTheFallback = {
  async test(): Promise<void> {
    check(navigator.userAgent === 'Cloudflare-Workers', 'running in workerd', navigator.userAgent);
    check((import.meta as { url?: string }).url === undefined, 'import.meta.url is undefined here, and the full core imported anyway');
    const embedded = createKernels();
    check(embedded.kind === 'js' && /disallowed by embedder/.test(embedded.fallbackReason ?? ''), 'the embedded build is refused here, and the fallback says why', embedded.fallbackReason);
    let required: unknown;
    try {
      new StreamingContext({ batchIntervalMs: 1000, kernels: 'wasm' });
    } catch (error) {
      required = error;
    }
    check(required instanceof KernelError && /disallowed by embedder/.test(required.message), "kernels: 'wasm' throws with the reason", String(required));

    for (const kernels of ['auto', createKernels({ module: kernelModule })] as const) {
      const clock = new ManualClock();
      const ssc = new StreamingContext({ batchIntervalMs: 1000, clock, kernels });
      const got: (readonly [string, number])[] = [];
      ssc.queueStream([['长江 长江 这是 黄河', 'the fox  the\tdog']]).flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum)
        .foreachRDD((batch) => void got.push(...batch.collect()));
      ssc.start();
      const info = await ssc.runBatch();
      await ssc.stop();
      const kind = kernels === 'auto' ? 'js' : 'wasm';
      check(info.kernels === kind && ssc.kernelsKind === kind && info.kernelCalls === 1, `BatchInfo shows ${kind} kernels and one kernel call`, info);
      check(JSON.stringify(got) === JSON.stringify([['长江', 2], ['这是', 1], ['黄河', 1], ['the', 2], ['fox', 1], ['dog', 1]]), 'exact counts', got);
    }
  },
};
