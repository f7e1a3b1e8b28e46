// Runs every compiled test file under dist/test with Node's built-in runner.
// Node 20's `--test` takes no globs, so the file list is collected here; a
// per-test timeout turns a hang into a failure instead of a stalled CI run.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { startBroker } from './kafka-broker.mjs';

function collect(dir) {
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...collect(path));
    else if (name.endsWith('.test.js')) found.push(path);
  }
  return found;
}

const filter = process.argv[2];
const files = collect('dist/test').filter((f) => (filter ? f.includes(filter) : true));
if (files.length === 0) {
  console.error('No test files found under dist/test; run `npm run build` first.');
  process.exit(1);
}
// The Kafka tests share one real broker per run, started here unless KAFKA_BROKERS names one.
const broker = files.some((f) => f.includes('kafka')) && !process.env.KAFKA_BROKERS ? await startBroker() : undefined;
if (broker !== undefined) console.error(`sluice: Kafka ${broker.brokers} started for this test run (log: ${broker.logFile})`);
const env = broker === undefined ? process.env : { ...process.env, KAFKA_BROKERS: broker.brokers };
const runner = spawn(process.execPath, ['--test', '--test-concurrency=1', '--test-timeout=120000', ...files], { stdio: 'inherit', env });
// A run stopped from outside (CI's timeout, `timeout`, a closed terminal) must not leave the broker's JVM running:
// the signal goes to the runner and the broker is stopped before this script exits.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    runner.kill(signal);
    void broker?.stop().finally(() => process.exit(1));
    if (broker === undefined) process.exit(1);
  });
}
const status = await new Promise((resolve) => runner.on('exit', (code) => resolve(code)));
await broker?.stop();
process.exit(status ?? 1);
