// The kernel ships twice: as files (`sluice/kernel.wasm`, `sluice/kernel.shared.wasm`,
// used by `sluice/edge`) and embedded as base64 in the `sluice` entry. Both must be the same build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { embeddedModuleBytes } from '../../src/kernels/index.js';

const built = (name: string): Uint8Array => new Uint8Array(readFileSync(fileURLToPath(new URL(`../../../build/${name}`, import.meta.url))));

test('the embedded kernels are byte-for-byte the shipped .wasm files', () => {
  assert.deepEqual(embeddedModuleBytes(false), built('sluice.wasm'));
  assert.deepEqual(embeddedModuleBytes(true), built('sluice.shared.wasm'));
  assert.notDeepEqual(built('sluice.wasm'), built('sluice.shared.wasm'));
});
