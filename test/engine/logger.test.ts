import assert from 'node:assert/strict';
import { test } from 'node:test';
import { consoleLogger, silentLogger } from '../../src/engine/logger.js';

test('consoleLogger writes WARN/INFO lines to the console\'s error stream; silentLogger writes nothing', () => {
  const written: string[] = [];
  const original = console.error;
  console.error = (line: string) => void written.push(line);
  try {
    consoleLogger.warn('receiver down');
    consoleLogger.info('receiver back');
    silentLogger.warn('never');
    silentLogger.info('never');
  } finally {
    console.error = original;
  }
  assert.deepEqual(written, ['WARN receiver down', 'INFO receiver back']);
});
