import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  builtinOf,
  count,
  delimitedField,
  foldOf,
  InvalidArgumentError,
  keyValueFields,
  max,
  min,
  pairWithOne,
  splitWhitespace,
  sum,
} from '../../src/internals.js';

test('splitWhitespace splits on the six Java \\s characters only and yields no empty tokens', () => {
  for (const ws of [' ', '\t', '\n', '\x0B', '\f', '\r']) {
    assert.deepStrictEqual(splitWhitespace(`${ws}a${ws}${ws}b${ws}`), ['a', 'b'], JSON.stringify(ws));
  }
  assert.deepStrictEqual(splitWhitespace('长江 长江 这是 黄河'), ['长江', '长江', '这是', '黄河']);
  assert.deepStrictEqual(splitWhitespace('a\u00a0b\u2003c'), ['a\u00a0b\u2003c'], 'Unicode spaces are not Java \\s');
  assert.deepStrictEqual(splitWhitespace(''), []);
  assert.deepStrictEqual(splitWhitespace(' \t '), []);
});

test('pairWithOne and the reducers; count folds by counting values', () => {
  assert.deepStrictEqual(pairWithOne('w'), ['w', 1]);
  assert.equal(sum(2, 3), 5);
  assert.equal(min(2, 3), 2);
  assert.equal(max(2, 3), 3);
  assert.equal(count(2, 3), 5, 'count combines partial counts');
  const fold = foldOf(count);
  assert.equal(fold.merge(fold.merge(fold.init(40), 50), 60), 3);
  const user = foldOf((a: number, b: number) => a * b);
  assert.equal(user.merge(user.init(4), 5), 20);
});

test('built-ins carry descriptors; closures do not', () => {
  assert.deepStrictEqual(builtinOf(splitWhitespace), { kind: 'splitWhitespace' });
  assert.deepStrictEqual(builtinOf(sum), { kind: 'reducer', reducer: 'sum' });
  assert.deepStrictEqual(builtinOf(keyValueFields('\t', 0, 2, { expectedFields: 3 })), {
    kind: 'keyValueFields',
    spec: { delimiter: '\t', keyField: 0, valueField: 2, expectedFields: 3 },
  });
  assert.equal(builtinOf((a: number, b: number) => a + b), undefined);
  assert.equal(builtinOf(42), undefined);
});

test('keyValueFields: malformed lines give [], as the delimited kernel decides', () => {
  const parse = keyValueFields(',', 1, 2, { expectedFields: 3 });
  assert.deepStrictEqual(parse('o1,12,45.00'), [['12', 45]]);
  assert.deepStrictEqual(parse('o1,12, 4.5e1\t'), [['12', 45]], 'value may be padded with Java whitespace');
  assert.deepStrictEqual(parse('o1,12,.5'), [['12', 0.5]]);
  assert.deepStrictEqual(parse('o1,12,-2E+2'), [['12', -200]]);
  for (const bad of ['', 'o1,12,.', 'o1,12,NaN', 'o1,12,1_000', 'o1,12', 'o1,12,1,extra', 'o1,,3', 'o1,12,abc', 'o1,12,', 'o1,12,0x10', 'o1,12,Infinity', 'o1,12,1e', 'o1,12,--3', 'o1,12,1..2']) {
    assert.deepStrictEqual(parse(bad), [], JSON.stringify(bad));
  }
  assert.deepStrictEqual(keyValueFields(',', 0, 1)('k,2,extra'), [['k', 2]], 'any field count without expectedFields');
});

test('argument checks', () => {
  assert.throws(() => keyValueFields(',,', 0, 1), InvalidArgumentError);
  assert.throws(() => keyValueFields('\n', 0, 1), InvalidArgumentError);
  assert.throws(() => keyValueFields(',', -1, 1), InvalidArgumentError);
  assert.throws(() => keyValueFields(',', 0, 3, { expectedFields: 3 }), InvalidArgumentError);
  assert.throws(() => delimitedField('é', 0), InvalidArgumentError);
  assert.equal(delimitedField(',', 1)('a,b,c'), 'b');
  assert.equal(delimitedField(',', 5)('a,b'), undefined);
});
