import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SluiceProcess, runSluice } from '../cli/sluice-process.js';
import { tempDir } from '../temp-dir.js';
import { IngestClient, ResultsSubscriber } from './clients.js';
import { waitFor } from '../fake-receiver-host.js';

const PIPELINE = fileURLToPath(new URL('./running-words-pipeline.js', import.meta.url));

async function serve(args: readonly string[]): Promise<{ process: SluiceProcess; url: string }> {
  const process = new SluiceProcess(['serve', '--port', '0', ...args], 60_000);
  let url = '';
  await process.waitFor(() => {
    url = /serving \S+ on (http:\/\/[\d.]+:\d+)/.exec(process.stderr)?.[1] ?? '';
    return url !== '';
  }, 'the server to listen');
  return { process, url };
}

test('sluice serve --checkpoint: after a SIGKILL and a restart, every acknowledged record is counted exactly once', async () => {
  const dir = await tempDir('serve-wal');
  try {
    const args = ['--batch', '200ms', '--checkpoint', dir.path, '--pipeline', PIPELINE];
    const first = await serve(args);
    const clients = await Promise.all(Array.from({ length: 10 }, () => new IngestClient(first.url).open()));
    const sent = clients.map(() => 0);
    let sending = true;
    const loops = clients.map(async (client, c) => {
      while (sending) {
        const words = Array.from({ length: 10 }, (_, j) => `k${c}_${sent[c]! + j + 1}`);
        sent[c]! += words.length;
        client.send(words.join('\n'));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    });
    // Long enough for several checkpointed batches, then killed in the middle of the stream.
    await waitFor(() => clients.every((client) => client.acked >= 300), 'acks before the kill', 30_000);
    first.process.kill('SIGKILL');
    await first.process.exited;
    sending = false;
    await Promise.all(loops);
    const acked = clients.map((client) => client.acked);
    assert.ok(acked.some((n, c) => n < sent[c]!), 'some records were sent but not acknowledged when the server died');

    const second = await serve(args);
    const subscriber = await new ResultsSubscriber(second.url).open();
    await waitFor(() => subscriber.batches.length >= 2, 'two batches after the restart', 20_000);
    const state = subscriber.latest;
    for (const [c, n] of acked.entries()) {
      for (let i = 1; i <= n; i++) assert.equal(state.get(`k${c}_${i}`), 1, `acknowledged record k${c}_${i}`);
    }
    for (const [key, count] of state) assert.equal(count, 1, `${key} counted ${count} times`);
    assert.ok((await readdir(join(dir.path, 'wal'))).some((name) => name.endsWith('.log')));
    second.process.kill('SIGTERM');
    assert.equal((await second.process.exited).code, 0);
    assert.match(second.process.stderr, /SIGTERM received/);
  } finally {
    await dir.cleanup();
  }
});

test('sluice serve: usage errors exit 2 with a message', async () => {
  const unknownPipeline = await runSluice(['serve', '--pipeline', 'nope']);
  assert.equal(unknownPipeline.code, 2);
  assert.match(unknownPipeline.stderr, /neither wordcount nor orders nor a module path/);
  const badToken = await runSluice(['serve', '--token', 'has space']);
  assert.equal(badToken.code, 2);
  const noConnections = await runSluice(['serve', '--max-connections', '0']);
  assert.equal(noConnections.code, 2);
  assert.match(noConnections.stderr, /max-connections/);
  const help = await runSluice(['serve', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--checkpoint DIR/);
  assert.match(help.stdout, /--max-connections N .*HTTP 503/);
  assert.match(help.stdout, /--max-connections-per-ip N .*HTTP 429/);
});
