// The core ("." export) must run on edge runtimes and in browsers, so nothing
// reachable from it may import Node built-ins or touch Buffer/process. This
// walks the compiled import graph from the package's "." entry point.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, resolve, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const packageJson = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
  exports: Record<string, { default: string; types: string } | string>;
};

const importPattern = /(?:^|[\s;])(?:import|export)\s*(?:[^'"]*?\sfrom\s*)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
const nodeOnlyGlobals = /\b(?:Buffer|process|require|__dirname|__filename)\s*[.(\[]/;

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

function stripStrings(source: string): string {
  return source.replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''");
}

/** Walks the compiled import graph from `entry`: the files reached (relative to the root) and what is wrong in them. */
export function walkImports(entry: string): { problems: string[]; reached: string[] } {
  const problems: string[] = [];
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = stripComments(readFileSync(file, 'utf8'));
    const where = relative(root, file);
    for (const match of code.matchAll(importPattern)) {
      const specifier = match[1] ?? match[2] ?? '';
      if (specifier.startsWith('.')) {
        pending.push(resolve(dirname(file), specifier));
      } else {
        problems.push(`${where} imports '${specifier}' (only relative imports are allowed in the core)`);
      }
    }
    const usage = stripStrings(code).match(nodeOnlyGlobals);
    if (usage) problems.push(`${where} uses the Node-only global '${usage[0]}'`);
  }
  return { problems, reached: [...seen].map((file) => relative(root, file)) };
}

export function findNodeOnlyUsage(entry: string): string[] {
  return walkImports(entry).problems;
}

function entryOf(key: string): string {
  const target = packageJson.exports[key];
  assert.ok(target, `package.json exports '${key}'`);
  return resolve(root, typeof target === 'string' ? target : target.default);
}

test('everything reachable from the "." export is edge-safe', () => {
  assert.deepEqual(findNodeOnlyUsage(entryOf('.')), []);
});

test('everything reachable from the "./edge" export is edge-safe, with no embedded kernel and no worker pool', () => {
  const { problems, reached } = walkImports(entryOf('./edge'));
  assert.deepEqual(problems, []);
  assert.ok(reached.includes('dist/src/engine/streaming-context.js'), 'the walk reaches the engine');
  assert.deepEqual(reached.filter((file) => /generated\/wasm-base64|kernels\/load\.js|\/browser\/|\/executor\/pool\//.test(file)), []);
  // Operators install themselves on DStream.prototype when imported: the edge entry must reach every one.
  const streamDir = resolve(root, 'dist/src/stream');
  const operators = readdirSync(streamDir).filter((name) => name.endsWith('.js') && /^DStream\.prototype\.\w+ =/m.test(readFileSync(resolve(streamDir, name), 'utf8')));
  assert.ok(operators.length >= 20, `operator files found: ${operators.join(', ')}`);
  assert.deepEqual(operators.filter((name) => !reached.includes(`dist/src/stream/${name}`)), [], 'operators missing from sluice/edge (add them to src/stream/operators.ts)');
  // The "." entry does carry the embedded kernel, so the check above can tell the two apart.
  assert.ok(walkImports(entryOf('.')).reached.includes('dist/src/kernels/generated/wasm-base64.js'));
});

test('the checker does flag Node-only code (the "./node" export is reached and rejected)', () => {
  const problems = findNodeOnlyUsage(entryOf('./node'));
  assert.ok(problems.some((p) => p.includes("'node:")), problems.join('\n'));
});

test('the package resolves its own exports by name, with types', async () => {
  for (const [key, target] of Object.entries(packageJson.exports)) {
    if (key === './package.json') continue;
    if (key.endsWith('.wasm')) {
      // Kernel files for bundlers and runtimes that import `.wasm` as a module (workerd, wrangler, Vite).
      assert.equal(typeof target, 'string', `${key} is a plain file`);
      const bytes = readFileSync(resolve(root, target as string));
      assert.deepEqual([...bytes.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d], `${key} is a WebAssembly binary`);
      assert.ok(WebAssembly.validate(bytes), `${key} validates`);
      continue;
    }
    assert.equal(typeof target, 'object', `${key} has conditions`);
    const { types } = target as { types: string };
    assert.ok(readFileSync(resolve(root, types), 'utf8').length > 0, `${key} has a .d.ts`);
  }
  const core = (await import('sluice')) as Record<string, unknown>;
  assert.equal(typeof core['StreamingContext'], 'function');
  const node = (await import('sluice/node')) as Record<string, unknown>;
  assert.ok(Object.keys(node).length > 0);
  const edge = (await import('sluice/edge')) as Record<string, unknown>;
  assert.equal(edge['StreamingContext'], core['StreamingContext'], 'one engine behind both entries');
  assert.notEqual(edge['loadKernels'], core['loadKernels'], 'the edge loader takes a module, not the embedded build');
});
