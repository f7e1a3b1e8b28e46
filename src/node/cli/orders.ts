/**
 * `sluice orders`: the seed's order-stream example. Lines
 * `orderId,provinceId,orderPrice` → (provinceId, price) → sum per batch (one
 * delimited-reduce kernel call), folded into running totals per province
 * with updateStateByKey(runningSum) (checkpointed in memory, or to
 * --checkpoint DIR so a restart resumes).
 * Malformed lines (wrong field count, a price that is not a number) are
 * skipped, and their number is noted on stderr, so stdout holds exactly
 * Spark's print blocks, totals as Scala Doubles (`(12,65.0)`).
 */

import { keyValueFields, runningSum, sum, MALFORMED_RECORDS_COUNTER, type Pair } from '../../index.js';
import type { OptionSpec } from './args.js';
import { defineCommand } from './command.js';
import { WORKERS_OPTION, openKernels, workersOf } from './kernels-option.js';
import { runStream } from './run-stream.js';
import { SOURCE_OPTIONS, createSource, sourceSettings } from './source-options.js';
import { jsonLine, sparkBlock } from './wordcount.js';
import { scaleOutOf } from './scale-out-source.js';
import { javaDoubleString } from './java-double.js';

const SPECS: readonly OptionSpec[] = [
  ...SOURCE_OPTIONS,
  WORKERS_OPTION,
  { name: 'json', type: 'boolean', help: 'One JSON line per batch: {"time":ms,"records":n,"schedulingDelay":ms,"processingDelay":ms,"totalDelay":ms,"malformed":n,"result":[[province,total],...]}.' },
];

export const ordersCommand = defineCommand({
  name: 'orders',
  summary: 'Running order totals per province from "orderId,provinceId,orderPrice" lines; malformed lines counted.',
  description:
    'Running order totals per province from lines "orderId,provinceId,orderPrice" (the seed\'s order stream),\nkept with updateStateByKey. Each batch prints every province\'s total so far as Spark prints a Double\n(12,65.0); malformed lines skipped are noted on stderr. With --checkpoint DIR the totals survive a restart.',
  options: SPECS,
  examples: '  sluice gen --port 9999 --corpus orders --malformed 2 &\n  sluice orders --socket 127.0.0.1:9999',
  run: async (args, io) => {
    const settings = sourceSettings('orders', args);
    // Over Kafka the totals scale out: every process started with the same --group shares the topic (see scale-out-source.ts).
    const scaleOut = scaleOutOf('orders', settings, true);
    const json = args.flags.has('json');
    const kernels = await openKernels(workersOf(args));
    try {
      return await runStream({
        io,
        settings,
        kernels,
        stateful: scaleOut === undefined,
        build: (ssc, onConnectionChange) => {
          const source = createSource(ssc, settings, onConnectionChange, scaleOut);
          // keyValueFields + running sums fuse into one delimited-reduce kernel call per batch; the totals live in a kernel table.
          const prices = source.lines.flatMap(keyValueFields(',', 1, 2, { expectedFields: 3 }));
          // Scaled out, each batch's sums per province go to the process owning the province, which keeps its total.
          const keyed = source.byKey === undefined ? prices : source.byKey(prices.reduceByKey(sum));
          // Named so that a checkpoint of `wordcount --state` is refused instead of recovered as province totals.
          const totals = keyed.updateStateByKey(runningSum).name('orders-running-totals');
          source.output?.(source.byKey === undefined ? totals : totals.changes());
          return { results: totals, sourceDescription: source.description, batchNote: source.batchNote };
        },
        collect: (pairs) => byProvince(pairs),
        emit: (info, collected) => {
          const result = collected as Pair<string, number>[];
          const malformed = info.counters[MALFORMED_RECORDS_COUNTER] ?? 0;
          if (json) {
            io.stdout(jsonLine(info, result));
            return;
          }
          io.stdout(sparkBlock(info, result.map(([province, total]) => [province, javaDoubleString(total)] as const), result.length));
          if (malformed > 0) io.stderr(`sluice: batch ${info.batchTime} ms skipped ${malformed} malformed line${malformed === 1 ? '' : 's'} (not orderId,provinceId,orderPrice).\n`);
        },
      });
    } finally {
      await kernels.close();
    }
  },
});

/** Totals in province order (numeric ids numerically), rounded to cents for display. */
function byProvince(totals: readonly Pair<string, number>[]): Pair<string, number>[] {
  const rows = totals.map(([province, total]) => [province, Math.round(total * 100) / 100] as const);
  return rows.sort(([a], [b]) => (/^\d+$/.test(a) && /^\d+$/.test(b) ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0));
}
