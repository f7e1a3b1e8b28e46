/**
 * What `npm publish` would ship (`npm pack --dry-run --json`): the built
 * library (JS and declarations, no source maps), the CLI's bin, the kernels'
 * .wasm, README, LICENSE and package.json; nothing else (no tests, benches,
 * TypeScript or AssemblyScript sources), within a size budget.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Packed (gzip) and unpacked budgets: about 1.15× the tarball once scale-out (consumer groups, changelogs) and the range merge landed (394 KiB / 1,305 KiB), so growth is a decision, not an accident. */
const MAX_PACKED_BYTES = 455 * 1024;
const MAX_UNPACKED_BYTES = 1500 * 1024;

const ALLOWED: readonly RegExp[] = [
  /^dist\/src\/.+\.(js|d\.ts)$/,
  /^build\/sluice(\.shared)?\.wasm$/,
  /^bin\/sluice\.js$/,
  /^(README\.md|LICENSE|package\.json)$/,
];

interface PackResult {
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

function npmPack(): PackResult {
  // npm sets npm_execpath when it runs the tests; run npm by it, or from PATH otherwise. --ignore-scripts: no rebuild.
  const npm = process.env.npm_execpath;
  const [command, args] = npm !== undefined && npm.endsWith('.js') ? [process.execPath, [npm]] : ['npm', []];
  const run = spawnSync(command, [...args, 'pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const [result] = JSON.parse(run.stdout) as PackResult[];
  assert.ok(result !== undefined);
  return result;
}

const packed = npmPack();
const paths = packed.files.map((f) => f.path);

test('the tarball holds only what runs or documents the package', () => {
  const unexpected = paths.filter((path) => !ALLOWED.some((pattern) => pattern.test(path)));
  assert.deepEqual(unexpected, []);
  for (const required of ['LICENSE', 'README.md', 'package.json', 'bin/sluice.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/node/index.js', 'dist/src/internals.js']) {
    assert.ok(paths.includes(required), `${required} is packed`);
  }
  assert.ok(!paths.some((path) => path.startsWith('dist/test/') || path.startsWith('dist/bench/') || path.startsWith('dist/examples/')), 'no tests, benches or examples');
});

test('every entry point package.json names is in the tarball', async () => {
  const manifest = JSON.parse(await readFile(`${ROOT}package.json`, 'utf8')) as { exports: Record<string, string | Record<string, string>>; bin: Record<string, string> };
  const targets = Object.values(manifest.exports).flatMap((entry) => (typeof entry === 'string' ? [entry] : Object.values(entry)));
  for (const target of [...targets, ...Object.values(manifest.bin)]) assert.ok(paths.includes(target.replace(/^\.\//, '')), `${target} is packed`);
});

test('the tarball stays within its size budget', () => {
  assert.ok(packed.size <= MAX_PACKED_BYTES, `packed ${packed.size} bytes > ${MAX_PACKED_BYTES}`);
  assert.ok(packed.unpackedSize <= MAX_UNPACKED_BYTES, `unpacked ${packed.unpackedSize} bytes > ${MAX_UNPACKED_BYTES}`);
});

test('the Apache-2.0 LICENSE matches package.json; @assemblyscript/loader, which nothing imports, is not a dependency', async () => {
  const manifest = JSON.parse(await readFile(`${ROOT}package.json`, 'utf8')) as { license: string; dependencies?: Record<string, string> };
  assert.equal(manifest.license, 'Apache-2.0');
  const license = await readFile(`${ROOT}LICENSE`, 'utf8');
  assert.match(license, /Apache License\s+Version 2\.0, January 2004/);
  assert.match(license, /END OF TERMS AND CONDITIONS/);
  // The kernels' raw pointer ABI needs no loader (README: "Why no @assemblyscript/loader").
  assert.ok(!('@assemblyscript/loader' in (manifest.dependencies ?? {})));
});
