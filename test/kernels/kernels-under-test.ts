/** The implementations every property test runs: the WASM kernels (release build) and the pure-TS fallback. */
import type { Kernels } from '../../src/kernels/api.js';
import { createKernels, jsKernels } from '../../src/kernels/index.js';

let wasm: Kernels | undefined;

export function wasmKernels(): Kernels {
  wasm ??= createKernels({ fallback: false });
  return wasm;
}

export function implementations(): Kernels[] {
  return [wasmKernels(), jsKernels()];
}
