import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CliIo } from '../../../src/node/cli/io.js';
import { packageVersion, runCli } from '../../../src/node/cli/main.js';
import { tempDir } from '../temp-dir.js';

function capture(): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (text: string) => void (io.out += text),
    stderr: (text: string) => void (io.err += text),
    onSignal: () => () => {},
  };
  return io;
}

test('sluice --version (and -v) prints the package version', async () => {
  const manifest = JSON.parse(await readFile(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(packageVersion(), manifest.version);
  for (const flag of ['--version', '-v']) {
    const io = capture();
    assert.equal(await runCli([flag], io), 0);
    assert.equal(io.out, `sluice ${manifest.version}\n`);
  }
});

test('demo checks its flags before it starts the generator: no banner, exit code 2', async () => {
  for (const args of [['--batch', '500'], ['--batches', '0'], ['--workers', 'x']]) {
    const io = capture();
    assert.equal(await runCli(['demo', ...args], io), 2, args.join(' '));
    assert.doesNotMatch(io.err, /generating/, 'the generator did not start');
    assert.match(io.err, /^sluice demo: --/);
  }
});

test('wordcount --save to a place that cannot be written fails before reading any input', async () => {
  const dir = await tempDir('cli-save-check');
  const input = join(dir.path, 'in');
  await mkdir(input);
  const blocker = join(dir.path, 'file');
  await writeFile(blocker, 'not a directory');
  try {
    const io = capture();
    const code = await runCli(['wordcount', '--dir', input, '--batch', '100ms', '--save', join(blocker, 'out', 'wc')], io);
    assert.equal(code, 1);
    assert.match(io.err, /Cannot write output folders to .*file\/out: .* Choose a directory you can create and write to\./);
    assert.doesNotMatch(io.err, /sluice: reading/, 'no input was read');
  } finally {
    await dir.cleanup();
  }
});
