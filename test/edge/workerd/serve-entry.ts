/**
 * The Worker `workerd serve` runs in the HTTP test: the example Worker with a
 * memory-backed stand-in for its KV binding (one per isolate), plus
 * POST /queue, which hands the body's lines to the example's `queue` handler
 * as one message batch (no Queues service runs here). Every answer says which
 * runtime produced it.
 */
import worker from '../../../examples/edge/worker.js';
import { MemoryKv } from './memory-kv.js';

const env = { SLUICE_STATE: new MemoryKv() };

export default {
  async fetch(request: Request): Promise<Response> {
    let response: Response;
    if (new URL(request.url).pathname === '/queue') {
      const messages = (await request.text()).split('\n').filter((line) => line !== '').map((body) => ({ body }));
      let acked = false;
      await worker.queue({ messages, ackAll: () => void (acked = true) }, env);
      response = Response.json({ acked });
    } else {
      response = await worker.fetch(request, env);
    }
    const answer = new Response(response.body, response);
    answer.headers.set('x-runtime', navigator.userAgent);
    return answer;
  },
};
