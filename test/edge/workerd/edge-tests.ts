/**
 * Runs INSIDE workerd (`workerd test`), bundled by esbuild from the compiled
 * JS with the `sluice/edge` entry and the example Worker. Each exported
 * `{ test() }` is one test; a throw fails it. Results are also logged as
 * `RESULT <json>` lines so the Node side can compare them with Node's own run.
 */
import kernelModule from 'sluice/kernel.wasm';
import { KernelError, StreamingContext, defaultKernels, loadKernels, setDefaultKernels } from 'sluice/edge';
import minimalWorker from '../../../examples/edge/minimal-worker.js';
import worker from '../../../examples/edge/worker.js';
import { MemoryKv } from './memory-kv.js';
import { AFTER_FIRST, AFTER_SECOND, FIRST_LINES, ORDERS, ORDER_TOTALS, SECOND_LINES } from './scenario.js';

function check(ok: boolean, what: string, got?: unknown): void {
  if (!ok) throw new Error(`${what}${got === undefined ? '' : `: got ${JSON.stringify(got)}`}`);
}

function same(got: unknown, expected: unknown, what: string): void {
  check(JSON.stringify(got) === JSON.stringify(expected), `${what}: expected ${JSON.stringify(expected)}`, got);
}

/** Key order differs between runs of runningSum state; compare as sorted entries. */
function sorted(record: Record<string, number>): [string, number][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

async function post(env: { SLUICE_STATE: MemoryKv }, body: string): Promise<Record<string, unknown>> {
  const response = await worker.fetch(new Request('http://example.test/count', { method: 'POST', body, headers: { 'content-type': 'text/plain; charset=utf-8' } }), env);
  check(response.status === 200, 'POST /count answers 200', response.status);
  return (await response.json()) as Record<string, unknown>;
}

export const runtimeIsWorkerd = {
  test(): void {
    check(navigator.userAgent === 'Cloudflare-Workers', 'running in workerd', navigator.userAgent);
    check((import.meta as { url?: string }).url === undefined, 'import.meta.url is undefined here (what crashed the core before)');
    check(typeof (globalThis as { process?: unknown }).process === 'undefined', 'no Node globals (no nodejs_compat)');
    check(typeof (globalThis as { Worker?: unknown }).Worker === 'undefined', 'no Web Workers: the pool stays off');
  },
};

export const exampleWorkerKeepsRunningTotalsOnWasm = {
  async test(): Promise<void> {
    const env = { SLUICE_STATE: new MemoryKv() };
    const first = await post(env, FIRST_LINES);
    same(first['kernels'], 'wasm', 'first batch kernels');
    same(first['kernelCalls'], 2, 'one fused kernel call per stream (words, orders)');
    same(sorted(first['words'] as Record<string, number>), sorted(AFTER_FIRST), 'counts after the first POST');
    same(first['batchTime'], 1000, 'first batch time');
    // The start record getOrCreate writes on an empty store, then the batch's checkpoint.
    check(env.SLUICE_STATE.puts === 2, 'the checkpoint went to KV', env.SLUICE_STATE.puts);

    const second = await post(env, SECOND_LINES);
    same(sorted(second['words'] as Record<string, number>), sorted(AFTER_SECOND), 'running counts after the second POST (restored from KV)');
    same(second['batchTime'], 2000, 'the batch clock continues from the checkpoint');

    let acked = false;
    await worker.queue({ messages: ORDERS.map((body) => ({ body })), ackAll: () => void (acked = true) }, env);
    check(acked, 'the queue batch was acknowledged');
    const third = await post(env, '');
    same(sorted(third['orderTotals'] as Record<string, number>), sorted(ORDER_TOTALS), 'order totals per province');
    same(sorted(third['words'] as Record<string, number>), sorted(AFTER_SECOND), 'an empty POST changes no count');
    same(third['batchTime'], 4000, 'four batches so far');
    console.log(`RESULT ${JSON.stringify({ first, second, third })}`);
  },
};

export const readmeMinimalWorkerKeepsRunningCounts = {
  async test(): Promise<void> {
    const env = { SLUICE_STATE: new MemoryKv() };
    const answers: unknown[] = [];
    for (const body of [FIRST_LINES, SECOND_LINES]) {
      const response = await minimalWorker.fetch(new Request('http://example.test/', { method: 'POST', body }), env);
      const answer = (await response.json()) as { kernels: string; kernelCalls: number; counts: Record<string, number> };
      answers.push([answer.kernels, answer.kernelCalls, sorted(answer.counts)]);
    }
    same(answers, [['wasm', 1, sorted(AFTER_FIRST)], ['wasm', 1, sorted(AFTER_SECOND)]], 'running counts over two requests');
  },
};

export const edgeEntryNeverFallsBackSilently = {
  async test(): Promise<void> {
    const refused = await loadKernels({}).then(() => undefined, (error: unknown) => error);
    check(refused instanceof KernelError && refused.code === 'ERR_SLUICE_KERNEL_LOAD', 'loadKernels without a module is refused', String(refused));
    const fallback = defaultKernels();
    check(fallback.kind === 'js' && /setDefaultKernels/.test(fallback.fallbackReason ?? ''), 'the default is JS and says why', fallback.fallbackReason);
    let required: unknown;
    try {
      new StreamingContext({ batchIntervalMs: 1000, kernels: 'wasm' });
    } catch (error) {
      required = error;
    }
    check(required instanceof KernelError, "kernels: 'wasm' throws while only JS kernels are available", String(required));
    setDefaultKernels(await loadKernels({ module: kernelModule }));
    same(new StreamingContext({ batchIntervalMs: 1000, kernels: 'wasm' }).kernelsKind, 'wasm', "kernels: 'wasm' after setDefaultKernels");
  },
};
