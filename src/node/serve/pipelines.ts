/**
 * `sluice serve --pipeline`: the built-in pipelines, or a module of the
 * user's. A module exports (as `default` or `pipeline`) a function
 * `(lines: DStream<string>) => DStream<…>`; its output goes to /results.
 * A stateful pipeline should name its state operators (`.name('…')`) so a
 * checkpoint recovers them by name.
 */

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { keyValueFields, pairWithOne, runningSum, splitWhitespace, sum, type DStream } from '../../index.js';
import { InvalidArgumentError } from '../../errors.js';

export type Pipeline = (lines: DStream<string>) => DStream<unknown>;

export const BUILT_IN_PIPELINES: Readonly<Record<string, Pipeline>> = {
  /** Word counts per batch (one fused kernel pass over the batch's bytes). */
  wordcount: (lines) => lines.flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum),
  /** Running order totals per province from "orderId,provinceId,orderPrice" lines. */
  orders: (lines) => lines.flatMap(keyValueFields(',', 1, 2, { expectedFields: 3 })).updateStateByKey(runningSum).name('orders-running-totals'),
};

export async function loadPipeline(name: string): Promise<Pipeline> {
  const builtIn = BUILT_IN_PIPELINES[name];
  if (builtIn !== undefined) return builtIn;
  if (!/[./\\]/.test(name)) {
    throw new InvalidArgumentError(`--pipeline "${name}" is neither ${Object.keys(BUILT_IN_PIPELINES).join(' nor ')} nor a module path (e.g. ./my-pipeline.js).`);
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(resolve(name)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new InvalidArgumentError(`--pipeline ${name}: the module could not be loaded (${(error as Error).message}).`, { cause: error });
  }
  const exported = module['pipeline'] ?? module['default'];
  if (typeof exported !== 'function') {
    throw new InvalidArgumentError(`--pipeline ${name}: the module must export a function (lines) => DStream as "pipeline" or as its default export.`);
  }
  return exported as Pipeline;
}
