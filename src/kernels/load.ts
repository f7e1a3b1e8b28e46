/**
 * Getting a Kernels implementation. The compiled module is embedded as
 * base64 (src/kernels/generated, written by scripts/embed-wasm.mjs), so no
 * file or network access is needed. Edge runtimes that forbid compiling
 * WebAssembly from bytes can pass a precompiled WebAssembly.Module (e.g. a
 * `.wasm` import in workerd). Where WebAssembly is missing or refused, the
 * implicit paths fall back to the pure-TypeScript kernels.
 */
import type { Kernels } from './api.js';
import { KernelError } from '../errors.js';
import { decodeBase64 } from './base64.js';
import { KERNEL_WASM_BASE64, SHARED_KERNEL_WASM_BASE64 } from './generated/wasm-base64.js';
import { JsKernels } from './js-kernels.js';
import { KernelInstance, createKernelMemory } from './kernel-instance.js';
import { WasmKernels } from './wasm-kernels.js';

export interface LoadKernelsOptions {
  /** A precompiled module (required where compiling from bytes is forbidden). */
  readonly module?: WebAssembly.Module;
  /** The module's bytes, instead of the embedded build. */
  readonly bytes?: Uint8Array;
  /** The memory to run on; a shared memory selects the shared build. Default: a new memory. */
  readonly memory?: WebAssembly.Memory;
  /** Pages the kernels may grow the memory to (default 65536 = 4 GiB). */
  readonly maximumPages?: number;
  /** With no module/bytes given: use the pure-TypeScript kernels when WebAssembly is unavailable (default true). */
  readonly fallback?: boolean;
}

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
    const compiled = new WebAssembly.Module(decodeBase64(shared ? SHARED_KERNEL_WASM_BASE64 : KERNEL_WASM_BASE64) as Uint8Array<ArrayBuffer>);
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

function fallbackWithoutWasm(options: LoadKernelsOptions): Kernels {
  if (options.fallback === false) throw new KernelError('ERR_SLUICE_KERNEL_LOAD', 'WebAssembly is not available in this runtime');
  return new JsKernels();
}

/** An explicitly given module must load; the embedded one may fall back to the TS kernels unless told not to. */
function fallbackAfterFailure(cause: unknown, explicit: boolean, options: LoadKernelsOptions): Kernels {
  if (!explicit && options.fallback !== false) return new JsKernels();
  if (cause instanceof KernelError) throw cause;
  throw new KernelError('ERR_SLUICE_KERNEL_LOAD', `Could not load the kernel module: ${String(cause)}`, { cause });
}

/** Loads the WASM kernels asynchronously (the way browsers prefer for compiling). */
export async function loadKernels(options: LoadKernelsOptions = {}): Promise<Kernels> {
  const explicit = options.module !== undefined || options.bytes !== undefined;
  if (!explicit && !wasmAvailable()) return fallbackWithoutWasm(options);
  const memory = options.memory ?? createKernelMemory();
  try {
    let module = options.module;
    if (module === undefined) {
      module = options.bytes !== undefined ? await WebAssembly.compile(options.bytes as Uint8Array<ArrayBuffer>) : embeddedModule(isShared(memory));
    }
    return new WasmKernels(await KernelInstance.instantiate(module, memory, options.maximumPages));
  } catch (cause) {
    return fallbackAfterFailure(cause, explicit, options);
  }
}

/** Synchronous counterpart of loadKernels (compiles the ~8 KiB embedded module in place). */
export function createKernels(options: LoadKernelsOptions = {}): Kernels {
  const explicit = options.module !== undefined || options.bytes !== undefined;
  if (!explicit && !wasmAvailable()) return fallbackWithoutWasm(options);
  const memory = options.memory ?? createKernelMemory();
  try {
    let module = options.module;
    if (module === undefined) module = options.bytes !== undefined ? new WebAssembly.Module(options.bytes as Uint8Array<ArrayBuffer>) : embeddedModule(isShared(memory));
    return new WasmKernels(KernelInstance.instantiateSync(module, memory, options.maximumPages));
  } catch (cause) {
    return fallbackAfterFailure(cause, explicit, options);
  }
}

let shared: Kernels | undefined;

/** One process-wide instance (WASM when possible, else the fallback), created on first use. */
export function defaultKernels(): Kernels {
  shared ??= createKernels();
  return shared;
}
