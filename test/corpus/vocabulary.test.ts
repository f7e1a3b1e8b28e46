import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cjkVocabulary, englishVocabulary, ENGLISH_VOCABULARY_SIZE, CJK_VOCABULARY_SIZE } from '../../src/corpus/vocabulary.js';

test('the English vocabulary has 50,000 distinct lowercase ASCII words, common words first', () => {
  const words = englishVocabulary();
  assert.equal(words.length, ENGLISH_VOCABULARY_SIZE);
  assert.equal(ENGLISH_VOCABULARY_SIZE, 50_000);
  assert.equal(new Set(words).size, words.length);
  for (const w of words) assert.match(w, /^[a-z]+$/);
  assert.deepEqual(words.slice(0, 3), ['the', 'of', 'and']);
});

test('frequent words are shorter than rare ones', () => {
  const words = englishVocabulary();
  const mean = (ws: readonly string[]): number => ws.reduce((s, w) => s + w.length, 0) / ws.length;
  assert.ok(mean(words.slice(0, 2_000)) < mean(words.slice(40_000)));
});

test('the CJK vocabulary has distinct words of 2–4 CJK Unified characters', () => {
  const words = cjkVocabulary();
  assert.equal(words.length, CJK_VOCABULARY_SIZE);
  assert.equal(new Set(words).size, words.length);
  for (const w of words) assert.match(w, /^[\u4e00-\u9fa5]{2,4}$/u);
  assert.ok(words.includes('长江') && words.includes('猎狗'));
});

test('vocabularies are the same on every call', () => {
  assert.equal(englishVocabulary(), englishVocabulary());
  assert.equal(cjkVocabulary()[4999], cjkVocabulary()[4999]);
});
