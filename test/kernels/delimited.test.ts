import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DelimitedSpec, Reducer } from '../../src/kernels/api.js';
import { MAX_FIELD_MAGNITUDE, parseDecimalField } from '../../src/kernels/js-number.js';
import { implementations, wasmKernels } from './kernels-under-test.js';
import { pairsOf, referenceDelimited } from './reference.js';
import { Prng } from './prng.js';
import { WasmKernels } from '../../src/kernels/index.js';

const utf8 = new TextEncoder();

function check(bytes: Uint8Array, spec: DelimitedSpec, label: string): void {
  const expected = referenceDelimited(bytes, spec.delimiter, spec.keyField, spec.valueField, spec.reducer, spec.expectedFields);
  for (const kernels of implementations()) {
    const got = kernels.aggregateDelimited(bytes, spec);
    assert.deepEqual(pairsOf(got.result), expected.pairs, `${kernels.kind} result: ${label}`);
    assert.equal(got.malformed, expected.malformed, `${kernels.kind} malformed: ${label}`);
  }
}

test('the orders stream: total per province, malformed lines skipped and counted', () => {
  const orders = [
    '1,beijing,10.5', '2,shanghai,3', '3,beijing,-0.5', 'garbage', '4,shanghai', '5,guangdong,abc',
    '6,beijing,1,extra', '7,,5', '', '8,guangdong,1e2', '9,shanghai, 7 ', '10,长江,2',
  ].join('\n');
  const spec: DelimitedSpec = { delimiter: ',', keyField: 1, valueField: 2, reducer: 'sum', expectedFields: 3 };
  for (const kernels of implementations()) {
    const { result, malformed } = kernels.aggregateDelimited(utf8.encode(orders), spec);
    assert.deepEqual(pairsOf(result), [['beijing', 10], ['shanghai', 10], ['guangdong', 100], ['长江', 2]], kernels.kind);
    assert.equal(malformed, 6, kernels.kind);
  }
  check(utf8.encode(orders), spec, 'orders');
  check(utf8.encode(`${orders}\n`), spec, 'orders with final newline');
});

test('every reducer, tabs, no expected field count, CRLF lines', () => {
  const text = 'a\t1\t5\nb\t2\t-3\na\t3\t7\t9\nb\t4\nc\t5\t1.5e1\r\na\t6\t.5\n';
  for (const reducer of ['sum', 'count', 'min', 'max'] as Reducer[]) {
    check(utf8.encode(text), { delimiter: '\t', keyField: 0, valueField: 2, reducer }, reducer);
    check(utf8.encode(text), { delimiter: '\t', keyField: 2, valueField: 1, reducer }, `${reducer} swapped`);
  }
});

test('property: random CSV with missing fields, extra fields, bad numbers and invalid UTF-8', () => {
  const prng = new Prng(99);
  const keys = ['a', 'b', 'beijing', '长江', 'x y', '', 'é', '\u00ff'];
  const numbers = ['1', '-2.5', '1e307', '-1e308', '4.8726570057e288', '+3', '.5', '5.', '1e3', '2E-2', '-0', '007', ' 4 ', '\t8', 'abc', '', '1.2.3', '0x10', 'Infinity', '1e', '--1', '.', 'NaN', '1_0', '١'];
  const raw = [0xff, 0x80, 0xc3];
  for (let round = 0; round < 200; round++) {
    const lines: string[] = [];
    const n = prng.int(60);
    for (let i = 0; i < n; i++) {
      const fields = [String(i), prng.pick(keys), prng.pick(numbers)];
      const shape = prng.int(10);
      if (shape === 0) fields.pop();
      if (shape === 1) fields.push('extra');
      if (shape === 2) fields.splice(0, 3);
      lines.push(fields.join(','));
    }
    let bytes = utf8.encode(lines.join('\n') + (prng.int(2) === 0 ? '\n' : ''));
    if (round % 4 === 0 && bytes.length > 0) {
      bytes = Uint8Array.from(bytes);
      bytes[prng.int(bytes.length)] = prng.pick(raw);
    }
    const reducer = prng.pick(['sum', 'count', 'min', 'max'] as Reducer[]);
    const expectedFields = prng.int(3) === 0 ? undefined : 3;
    check(bytes, { delimiter: ',', keyField: 1, valueField: 2, reducer, ...(expectedFields === undefined ? {} : { expectedFields }) }, `round ${round}`);
  }
});

test('property: accepted numbers parse bit-identically to Number(), in WASM and in the fallback', () => {
  const prng = new Prng(2024);
  const digits = (n: number): string => Array.from({ length: n }, () => String(prng.int(10))).join('');
  const kernels = wasmKernels();
  assert.ok(kernels instanceof WasmKernels);
  const { instance, scratch } = kernels.context;
  const samples: string[] = ['0', '-0', '+0', '0.0', '1', '9007199254740992', '9007199254740993', '1e22', '1e23', '1e-22', '1e-23',
    '123456789012345678901234567890', '0.1', '0.30000000000000004', '1e308', '1e309', '5e-324', '2e-324', '1.7976931348623157e308',
    '00000000000000000000000001', '0.000000000000000000000000001', '12345678901234567890e-5', '4.9406564584124654e-324',
    // Around the plain-decimal short path's limits (19 digits, 2^53, fraction scale).
    // Around MAX_FIELD_MAGNITUDE (2^959 = 4.8726570057e288): the bound itself is accepted.
    '4.8726570057e288', '-4.8726570057e288', '4.8726570056999e288', '4.872657005700001e288', '1e288', '1e289', '1e300', '1e307',
    '1.', '.5', '-.5', '-0.0', '0.04', '9999999999999999999', '999999999999999999', '9007199254740993.5', '0.0000000000000000001',
    '900719925474099.3', '1234567890123456789', '12345678901234567890', '0.1234567890123456789', '-123.4500'];
  for (let i = 0; i < 3000; i++) {
    const sign = prng.pick(['', '-', '+']);
    const intPart = digits(prng.int(prng.int(4) === 0 ? 25 : 8));
    const frac = prng.int(2) === 0 ? '' : `.${digits(prng.int(prng.int(4) === 0 ? 25 : 6))}`;
    if (intPart === '' && (frac === '' || frac === '.')) continue;
    const exp = prng.int(3) === 0 ? `${prng.pick(['e', 'E'])}${prng.pick(['', '-', '+'])}${prng.int(400)}` : '';
    samples.push(`${sign}${intPart}${frac}${exp}`);
  }
  for (const text of samples) {
    const parsed = Number(text);
    assert.ok(!Number.isNaN(parsed), text);
    const expected = Math.abs(parsed) <= MAX_FIELD_MAGNITUDE ? parsed : NaN;
    const bytes = utf8.encode(text);
    const ptr = scratch.get('number-test', bytes.length + 16);
    instance.writeInput(ptr, bytes);
    assert.ok(Object.is(instance.exports.parseDecimal(ptr, ptr + bytes.length), expected), `wasm ${text}`);
    assert.ok(Object.is(parseDecimalField(text), expected), `js ${text}`);
  }
  for (const rejected of ['', ' ', '.', '-', '+', 'e5', '1e', '1e+', '0x1A', 'Infinity', '-Infinity', 'NaN', '1,5', '1 2', '١', '٫5', '1_0', '1..2', '++1', '1e309', '-1.5e400', '99999999999999999999e300',
    '1e307', '-1e307', '1e308', '4.872657005700001e288', '1e289']) {
    const bytes = utf8.encode(rejected);
    const ptr = scratch.get('number-test', bytes.length + 16);
    instance.writeInput(ptr, bytes);
    assert.ok(Number.isNaN(instance.exports.parseDecimal(ptr, ptr + bytes.length)), `wasm rejects ${JSON.stringify(rejected)}`);
    assert.ok(Number.isNaN(parseDecimalField(rejected)), `js rejects ${JSON.stringify(rejected)}`);
  }
});

test('property: short fields (the fixed-point path, up to 8 bytes) agree with the fallback byte for byte, whatever follows them', () => {
  const prng = new Prng(77);
  const kernels = wasmKernels();
  assert.ok(kernels instanceof WasmKernels);
  const { instance, scratch } = kernels.context;
  const alphabet = ['0', '1', '5', '9', '.', '.', '-', '+', 'e', ' ', '/', ':', 'a', '\0', '\x7f'];
  const samples = ['0', '7', '.5', '5.', '.', '..', '1..2', '12345678', '1234567.', '.1234567', '00000000', '9999999.', '0.000001', '12.3.4', '1.2e3'];
  for (let i = 0; i < 20000; i++) samples.push(Array.from({ length: 1 + prng.int(9) }, () => (prng.int(3) === 0 ? prng.pick(alphabet) : String(prng.int(10)))).join(''));
  for (const text of samples) {
    const bytes = utf8.encode(text);
    // The kernel loads 8 bytes at once: what lies after the field must not matter.
    const ptr = scratch.get('number-test', bytes.length + 16);
    const u8 = instance.memory.u8();
    u8.set(bytes, ptr);
    for (let k = 0; k < 16; k++) u8[ptr + bytes.length + k] = prng.pick([0x2e, 0x30, 0x35, 0x20, 0xff, 0x00]);
    const wasm = instance.exports.parseDecimal(ptr, ptr + bytes.length);
    assert.ok(Object.is(wasm, parseDecimalField(text)), `${JSON.stringify(text)}: wasm ${wasm}, js ${parseDecimalField(text)}`);
  }
});

test('property: lines of every length across the 64-byte scan blocks, any delimiter (NUL included), with and without a last newline', () => {
  const prng = new Prng(4242);
  for (const delimiter of [',', '\t', '\0', '|']) {
    for (let round = 0; round < 60; round++) {
      const lines: string[] = [];
      const n = prng.int(40);
      for (let i = 0; i < n; i++) {
        const pad = 'x'.repeat(prng.int(prng.int(5) === 0 ? 150 : 20));
        const price = prng.pick(['1', '12.5', '3.', '.25', '12345678', '123456789', '-4.5', 'bad', '', ' 6 ']);
        const fields = [`${i}${pad}`, prng.pick(['1', '22', '333', 'k', '长江', '123456789']), price];
        if (prng.int(12) === 0) fields.push('extra');
        lines.push(fields.join(delimiter));
      }
      const text = lines.join('\n') + (prng.int(2) === 0 ? '\n' : '');
      const reducer = prng.pick(['sum', 'count', 'min', 'max'] as Reducer[]);
      check(utf8.encode(text), { delimiter, keyField: 1, valueField: 2, reducer, expectedFields: 3 }, `${JSON.stringify(delimiter)} round ${round}`);
    }
  }
});

test('bad specs are refused with a clear error', () => {
  for (const kernels of implementations()) {
    const bytes = utf8.encode('a,1');
    assert.throws(() => kernels.aggregateDelimited(bytes, { delimiter: ',,', keyField: 0, valueField: 1, reducer: 'sum' }), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
    assert.throws(() => kernels.aggregateDelimited(bytes, { delimiter: '\n', keyField: 0, valueField: 1, reducer: 'sum' }), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
    assert.throws(() => kernels.aggregateDelimited(bytes, { delimiter: ',', keyField: -1, valueField: 1, reducer: 'sum' }), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
    assert.throws(() => kernels.aggregateDelimited(bytes, { delimiter: ',', keyField: 0, valueField: 3, reducer: 'sum', expectedFields: 2 }), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
  }
});

test('many distinct keys grow the delimited table; aggregateDelimitedInto folds across batches', () => {
  const lines: string[] = [];
  for (let i = 0; i < 50_000; i++) lines.push(`${i},k${i % 20_000},${i % 7}.25`);
  check(utf8.encode(lines.join('\n')), { delimiter: ',', keyField: 1, valueField: 2, reducer: 'sum', expectedFields: 3 }, 'distinct keys');
  for (const kernels of implementations()) {
    const table = kernels.createTable('sum');
    const spec: DelimitedSpec = { delimiter: ',', keyField: 0, valueField: 1, reducer: 'sum' };
    assert.equal(kernels.aggregateDelimitedInto(table, utf8.encode('a,1\nb,2\nbad'), spec).malformed, 1);
    assert.equal(kernels.aggregateDelimitedInto(table, utf8.encode('a,0.5\nc,1'), spec).malformed, 0);
    assert.deepEqual(pairsOf(table.entries()), [['a', 1.5], ['b', 2], ['c', 1]], kernels.kind);
    table.dispose();
  }
});
