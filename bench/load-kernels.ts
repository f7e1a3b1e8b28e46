/**
 * The kernel sets a benchmark run measures: the WASM kernels from the
 * embedded build (never silently replaced by the fallback: a run that claims
 * WASM figures must time WASM) and the pure-TypeScript fallback.
 */
import type { Kernels } from '../src/kernels/api.js';
import { jsKernels, loadKernels } from '../src/kernels/index.js';

export async function loadKernelSets(): Promise<Kernels[]> {
  const wasm = await loadKernels({ fallback: false });
  if (wasm.kind !== 'wasm') throw new Error(`expected the WASM kernels, got kind ${wasm.kind}`);
  return [wasm, jsKernels()];
}
