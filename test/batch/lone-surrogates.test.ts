import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasLoneSurrogate } from '../../src/batch/lone-surrogates.js';

test('lone surrogates are found anywhere; well-formed pairs, U+FFFD and plain text are not', () => {
  for (const text of ['\ud800', '\udc00', 'a\ud800', '\udbffb', 'x\udc00\ud800', '\ud83d\ude42\ud83d', '\ude42\ud83d\ude42']) assert.ok(hasLoneSurrogate(text), JSON.stringify(text));
  for (const text of ['', 'plain', '\ud83d\ude42', 'a\uFFFDb', '长江', '\udbff\udfff']) assert.ok(!hasLoneSurrogate(text), JSON.stringify(text));
});
