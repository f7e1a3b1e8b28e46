import assert from 'node:assert/strict';
import { test } from 'node:test';
import { invalidUtf8Lines } from '../../src/node/invalid-utf8-lines.js';

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...new TextEncoder().encode(p)] : p)));

test('counts the lines that are not valid UTF-8, with or without a last newline, and no empty last line', () => {
  assert.equal(invalidUtf8Lines(bytes('a b\n长江\n')), 0);
  assert.equal(invalidUtf8Lines(bytes('a', [0x80], '\nok\n', [0xff], '\n')), 2);
  assert.equal(invalidUtf8Lines(bytes('ok\n', [0xe9, 0x95])), 1, 'a last line without its newline counts');
  assert.equal(invalidUtf8Lines(bytes([0xc0], '\n\n')), 1, 'empty lines are valid');
  assert.equal(invalidUtf8Lines(new Uint8Array(0)), 0);
});
