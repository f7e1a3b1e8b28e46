/**
 * Kernels from a module the caller supplies: a precompiled
 * `WebAssembly.Module` (a `.wasm` import in workerd / Cloudflare Workers,
 * which forbid compiling from bytes at run time) or the module's bytes.
 * Nothing here reaches the embedded base64 copy of the kernels, so the edge
 * entry (`sluice/edge`) is built on this file alone.
 */
import type { Kernels } from './api.js';
import { KernelError } from '../errors.js';
import { KernelInstance, createKernelMemory } from './kernel-instance.js';
import { WasmKernels } from './wasm-kernels.js';

/** Options of loadKernels / createKernels: which kernel build to instantiate, on which memory, and whether to fall back to JS. */
export interface LoadKernelsOptions {
  /** A precompiled module (required where compiling from bytes is forbidden), e.g. `import kernel from 'sluice/kernel.wasm'`. */
  readonly module?: WebAssembly.Module;
  /** The module's bytes, instead of a module (or of the embedded build). */
  readonly bytes?: Uint8Array;
  /** The memory to run on; a shared memory selects the shared build. Default: a new memory. */
  readonly memory?: WebAssembly.Memory;
  /** Pages the kernels may grow the memory to (default 65536 = 4 GiB). */
  readonly maximumPages?: number;
  /**
   * The `sluice` entry only, with no module/bytes given: use the pure-TypeScript
   * kernels when the embedded build cannot load (default true). The result's
   * `kind` is then 'js' and its `fallbackReason` says why.
   */
  readonly fallback?: boolean;
}

const NO_MODULE =
  "No kernel module given: the edge entry ('sluice/edge') carries no embedded copy of the kernels; " +
  "pass { module } (the WebAssembly.Module that importing 'sluice/kernel.wasm' gives in workerd) or { bytes }, or use the 'sluice' entry for the embedded build";

function loadError(cause: unknown): KernelError {
  if (cause instanceof KernelError) return cause;
  return new KernelError('ERR_SLUICE_KERNEL_LOAD', `Could not load the kernel module: ${String(cause)}; pass a precompiled WebAssembly.Module where compiling from bytes is forbidden`, { cause });
}

/** Loads the WASM kernels from `options.module` or `options.bytes`; throws KernelError (never falls back). */
export async function loadModuleKernels(options: LoadKernelsOptions): Promise<Kernels> {
  if (options.module === undefined && options.bytes === undefined) throw new KernelError('ERR_SLUICE_KERNEL_LOAD', NO_MODULE);
  try {
    const module = options.module ?? (await WebAssembly.compile(options.bytes as Uint8Array<ArrayBuffer>));
    return new WasmKernels(await KernelInstance.instantiate(module, options.memory ?? createKernelMemory(), options.maximumPages));
  } catch (cause) {
    throw loadError(cause);
  }
}

/** Synchronous counterpart of loadModuleKernels (e.g. at a Worker's top level, from a module import). */
export function createModuleKernels(options: LoadKernelsOptions): Kernels {
  if (options.module === undefined && options.bytes === undefined) throw new KernelError('ERR_SLUICE_KERNEL_LOAD', NO_MODULE);
  try {
    const module = options.module ?? new WebAssembly.Module(options.bytes as Uint8Array<ArrayBuffer>);
    return new WasmKernels(KernelInstance.instantiateSync(module, options.memory ?? createKernelMemory(), options.maximumPages));
  } catch (cause) {
    throw loadError(cause);
  }
}
