/**
 * A Cloudflare Worker (or plain workerd) counting words over lines POSTed to
 * /count and summing order amounts per province over a queue of
 * `orderId,province,amount` records, with running totals kept across
 * requests in KV through the CheckpointStore interface.
 *
 *   curl -X POST -H 'content-type: text/plain' --data-binary @lines.txt https://…/count
 *
 * The kernels come from `sluice/kernel.wasm`, which the runtime hands over
 * precompiled (Workers forbid compiling WebAssembly from bytes), and
 * `sluice/edge` carries no embedded copy of them.
 */
import kernelModule from 'sluice/kernel.wasm';
import { type Kernels, loadKernels } from 'sluice/edge';
import { type KeyValueBinding, KvCheckpointStore } from './kv-checkpoint-store.js';
import { type Input, type Totals, runOneBatch } from './word-count-pipeline.js';

export interface Env {
  readonly SLUICE_STATE: KeyValueBinding;
}

/** The part of a Queues MessageBatch this Worker uses. */
export interface OrderMessages {
  readonly messages: readonly { readonly body: unknown }[];
  ackAll(): void;
}

let kernels: Promise<Kernels> | undefined;
let turn: Promise<unknown> = Promise.resolve();

/** One batch at a time per isolate: each reads the state the previous one wrote. */
function serialized(env: Env, input: Input): Promise<Totals> {
  // Throws (no JS fallback) if the module cannot be instantiated.
  kernels ??= loadKernels({ module: kernelModule });
  const store = new KvCheckpointStore(env.SLUICE_STATE, 'sluice-example-checkpoint');
  const run = turn.then(async () => runOneBatch(store, await kernels!, input));
  turn = run.catch(() => undefined);
  return run;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (request.method !== 'POST' || url.pathname !== '/count') return new Response('POST text lines to /count\n', { status: 404 });
    const lines = (await request.text()).split('\n').filter((line) => line.length > 0);
    return Response.json(await serialized(env, { lines }));
  },

  async queue(batch: OrderMessages, env: Env): Promise<void> {
    const orders = batch.messages.map((message) => String(message.body));
    await serialized(env, { orders });
    batch.ackAll();
  },
};
