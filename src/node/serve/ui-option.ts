/**
 * `--ui PORT` for the long-running CLI commands (Spark's UI port is 4040):
 * the dashboard, /results, /metrics and /healthz of `sluice serve`, for any
 * pipeline, on 127.0.0.1. Off unless asked for.
 */

import type { StreamingContext } from '../../engine/streaming-context.js';
import { type OptionSpec, type ParsedArgs, parsePort } from '../cli/args.js';
import { CLOSE_GOING_AWAY } from './close-codes.js';
import { DashboardServer } from './dashboard-server.js';

export const UI_OPTION: OptionSpec = {
  name: 'ui',
  type: 'string',
  value: 'PORT',
  help: 'Serve a live dashboard of the batches (and /metrics) on http://127.0.0.1:PORT/ (e.g. 4040; 0 picks a free port).',
};

export function uiPortOf(args: ParsedArgs): number | undefined {
  const text = args.values.get('ui');
  return text === undefined ? undefined : parsePort('ui', text, true);
}

export interface UiHandle {
  /** Hand each batch's output elements to the dashboard (call from foreachRDD). */
  readonly results: (time: number, elements: readonly unknown[]) => void;
  /** Listens and watches `context`; resolves with the page's URL. */
  attach(context: StreamingContext): Promise<string>;
  close(): Promise<void>;
}

export function createUi(port: number, batchIntervalMs: number): UiHandle {
  const board = new DashboardServer({ batchIntervalMs });
  return {
    results: (time, elements) => board.feed.setResults(time, elements),
    async attach(context) {
      for (const listener of board.listeners) context.addStreamingListener(listener);
      const bound = await board.listen(port, '127.0.0.1');
      return `http://127.0.0.1:${bound}/`;
    },
    close: () => board.close(CLOSE_GOING_AWAY, 'sluice is stopping'),
  };
}
