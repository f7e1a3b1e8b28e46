/** Bundles compiled entry points the way an edge user's build would (esbuild, ESM, no Node platform). */
import { build, type Metafile } from 'esbuild';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface BundleOptions {
  /** Entry files relative to the repository root (compiled JS under dist/). */
  readonly entries: readonly string[];
  readonly outdir: string;
  readonly minify?: boolean;
}

/**
 * `sluice/kernel.wasm` stays an import: workerd (and wrangler's CompiledWasm
 * rule) turn it into a precompiled WebAssembly.Module. No `define` for
 * `import.meta.url`: the core must load where it is undefined.
 */
export async function bundleForEdge(options: BundleOptions): Promise<Metafile> {
  const result = await build({
    absWorkingDir: repoRoot,
    entryPoints: options.entries.map((entry) => resolve(repoRoot, entry)),
    outdir: options.outdir,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    minify: options.minify ?? false,
    external: ['sluice/kernel.wasm'],
    metafile: true,
    logLevel: 'silent',
  });
  return result.metafile;
}
