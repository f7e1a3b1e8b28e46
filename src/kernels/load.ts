/**
 * Getting a Kernels implementation in the `sluice` entry. The compiled
 * module is embedded as base64 (src/kernels/generated, written by
 * scripts/embed-wasm.mjs), so no file or network access is needed. Edge
 * runtimes that forbid compiling WebAssembly from bytes pass a precompiled
 * WebAssembly.Module (load-module.ts; `sluice/edge` has only that path).
 * Where WebAssembly is missing or refused, the implicit paths fall back to
 * the pure-TypeScript kernels, whose `fallbackReason` says why; pass
 * `fallback: false` (or a context's `kernels: 'wasm'`) to fail instead.
 */
import type { Kernels } from './api.js';
import { KernelError } from '../errors.js';
import { decodeBase64 } from './base64.js';
import { registerEmbeddedKernels } from './default-kernels.js';
import { KERNEL_WASM_BASE64, SHARED_KERNEL_WASM_BASE64 } from './generated/wasm-base64.js';
import { JsKernels } from './js-kernels.js';
import { KernelInstance, createKernelMemory } from './kernel-instance.js';
import { type LoadKernelsOptions, createModuleKernels, loadModuleKernels } from './load-module.js';
import { WasmKernels } from './wasm-kernels.js';

export type { LoadKernelsOptions } from './load-module.js';

const modules: { release?: WebAssembly.Module; shared?: WebAssembly.Module } = {};

function isShared(memory: WebAssembly.Memory | undefined): boolean {
  return memory !== undefined && typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

/** The embedded module (the shared-memory build when `shared`), compiled once synchronously. */
export function embeddedModule(shared = false): WebAssembly.Module {
  const key = shared ? 'shared' : 'release';
  const cached = modules[key];
  if (cached !== undefined) return cached;
  try {
    const compiled = new WebAssembly.Module(embeddedModuleBytes(shared));
    modules[key] = compiled;
    return compiled;
  } catch (cause) {
    throw new KernelError('ERR_SLUICE_KERNEL_LOAD', `Could not compile the embedded kernel module: ${String(cause)}; pass a precompiled module`, { cause });
  }
}

/** The embedded build's bytes, e.g. to compile once and post the Module to workers. */
export function embeddedModuleBytes(shared = false): Uint8Array<ArrayBuffer> {
  return decodeBase64(shared ? SHARED_KERNEL_WASM_BASE64 : KERNEL_WASM_BASE64);
}

function wasmAvailable(): boolean {
  return typeof WebAssembly === 'object' && typeof WebAssembly.Module === 'function';
}

function explicitModule(options: LoadKernelsOptions): boolean {
  return options.module !== undefined || options.bytes !== undefined;
}

/** The embedded build could not be used: JS kernels that say why, or a KernelError with `fallback: false`. */
function fallback(reason: string, cause: unknown, options: LoadKernelsOptions): Kernels {
  if (options.fallback === false) {
    if (cause instanceof KernelError) throw cause;
    throw new KernelError('ERR_SLUICE_KERNEL_LOAD', reason, cause === undefined ? {} : { cause });
  }
  return new JsKernels(reason);
}

const NO_WASM = 'WebAssembly is not available in this runtime';

function reasonOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/** Loads the WASM kernels asynchronously (the way browsers prefer for compiling). An explicit module/bytes must load. */
export async function loadKernels(options: LoadKernelsOptions = {}): Promise<Kernels> {
  if (explicitModule(options)) return loadModuleKernels(options);
  if (!wasmAvailable()) return fallback(NO_WASM, undefined, options);
  const memory = options.memory ?? createKernelMemory();
  try {
    return new WasmKernels(await KernelInstance.instantiate(embeddedModule(isShared(memory)), memory, options.maximumPages));
  } catch (cause) {
    return fallback(reasonOf(cause), cause, options);
  }
}

/** Synchronous counterpart of loadKernels (compiles the 14 KB embedded module in place). */
export function createKernels(options: LoadKernelsOptions = {}): Kernels {
  if (explicitModule(options)) return createModuleKernels(options);
  if (!wasmAvailable()) return fallback(NO_WASM, undefined, options);
  const memory = options.memory ?? createKernelMemory();
  try {
    return new WasmKernels(KernelInstance.instantiateSync(embeddedModule(isShared(memory)), memory, options.maximumPages));
  } catch (cause) {
    return fallback(reasonOf(cause), cause, options);
  }
}

// Only a factory is registered: nothing is compiled until a context needs kernels.
registerEmbeddedKernels(() => createKernels());
