// Workers (and wrangler's CompiledWasm rule) give a `.wasm` import as a compiled module.
declare module 'sluice/kernel.wasm' {
  const kernel: WebAssembly.Module;
  export default kernel;
}
