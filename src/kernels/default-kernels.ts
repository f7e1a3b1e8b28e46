/**
 * The process-wide kernels a StreamingContext uses when given none. Which
 * build that is depends on the entry: `sluice` registers its embedded build
 * (load.ts); `sluice/edge` has none, so there the user sets them
 * (`setDefaultKernels(await loadKernels({ module }))`) or passes `kernels`.
 * Whatever is chosen says so: a fallback is JsKernels with a `fallbackReason`.
 */
import type { Kernels } from './api.js';
import { JsKernels } from './js-kernels.js';

const NOTHING_REGISTERED =
  "the edge entry ('sluice/edge') has no embedded kernels and setDefaultKernels() was not called; " +
  'call setDefaultKernels(await loadKernels({ module })) or pass kernels to the StreamingContext';

let embedded: (() => Kernels) | undefined;
let chosen: Kernels | undefined;

/** Called by the entry that carries the embedded build; the factory runs on first use, not at import. */
export function registerEmbeddedKernels(create: () => Kernels): void {
  embedded = create;
}

/** Makes `kernels` the default of every StreamingContext (and executor) created without kernels from now on. */
export function setDefaultKernels(kernels: Kernels): void {
  chosen = kernels;
}

/** One process-wide instance (WASM when possible, else the fallback, whose `fallbackReason` says why), created on first use. */
export function defaultKernels(): Kernels {
  chosen ??= embedded !== undefined ? embedded() : new JsKernels(NOTHING_REGISTERED);
  return chosen;
}
