/**
 * The `kernels` option of a StreamingContext: which kernels fused chains run
 * on, and whether a missing WASM build is acceptable. A fallback is never
 * silent: 'wasm' turns it into an error, and the kind in use is on the
 * context (`ssc.kernelsKind`) and on every BatchInfo.
 */
import { InvalidArgumentError, KernelError } from '../errors.js';
import type { Kernels } from '../kernels/api.js';
import { defaultKernels } from '../kernels/default-kernels.js';
import { JsKernels } from '../kernels/js-kernels.js';

/**
 * - a Kernels instance: exactly these (e.g. `await loadKernels({ module })`, a worker pool);
 * - 'auto' (the default): the process-wide default kernels, WASM when they load, else the JS fallback;
 * - 'wasm': the default kernels, but throw KernelError when they are not WASM;
 * - 'js': the pure-TypeScript kernels;
 * - null: no fast path (fused chains run as plain JS closures).
 */
export type KernelsChoice = Kernels | null | 'auto' | 'wasm' | 'js';

/** What a context's fused chains run on: 'none' when the fast path is off. */
export type KernelsKind = 'wasm' | 'js' | 'none';

/** Kernels fixed at construction, or undefined for 'auto' (resolved on first use). */
export function resolveKernelsChoice(choice: KernelsChoice | undefined): Kernels | null | undefined {
  if (choice === undefined || choice === 'auto') return undefined;
  if (choice === null || typeof choice === 'object') return choice;
  if (choice === 'js') return new JsKernels();
  if (choice === 'wasm') return requireWasm(defaultKernels());
  throw new InvalidArgumentError(`kernels must be a Kernels instance, null, 'auto', 'wasm' or 'js', got ${JSON.stringify(choice)}`);
}

function requireWasm(kernels: Kernels): Kernels {
  if (kernels.kind === 'wasm') return kernels;
  throw new KernelError(
    'ERR_SLUICE_KERNEL_LOAD',
    `kernels: 'wasm' was required but the WASM kernels could not load (${kernels.fallbackReason ?? 'the default kernels are the JS ones'}); ` +
      "pass kernels: await loadKernels({ module }) with a precompiled module, or kernels: 'auto' to accept the JS fallback",
  );
}
