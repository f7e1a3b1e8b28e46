import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelInstance, LAYOUT, createKernelMemory, createKernels, embeddedModule } from '../../src/kernels/index.js';

for (const shared of [false, true]) {
  const build = shared ? 'shared' : 'release';

  test(`${build} build: every TypeScript layout constant equals the AssemblyScript one`, () => {
    const instance = KernelInstance.instantiateSync(embeddedModule(shared), createKernelMemory({ shared }));
    const wasmNames = Object.keys(instance.layoutGlobals).sort();
    assert.deepEqual(Object.keys(LAYOUT).sort(), wasmNames, 'same set of constants on both sides');
    for (const [name, value] of Object.entries(LAYOUT)) {
      const global = instance.layoutGlobals[name];
      assert.ok(global !== undefined, `${name} is exported`);
      assert.equal((global.value as number) >>> 0, value >>> 0, name);
    }
  });

  test(`${build} build: static data ends below LAYOUT_STATIC_LIMIT`, () => {
    const instance = KernelInstance.instantiateSync(embeddedModule(shared), createKernelMemory({ shared }));
    const heapBase = instance.exports.heapBase();
    assert.ok(heapBase > 0 && heapBase <= LAYOUT.LAYOUT_STATIC_LIMIT, `__heap_base ${heapBase}`);
  });
}

test('a module without the same layout (another build, or not sluice at all) is refused at load time', () => {
  const notSluice = new WebAssembly.Module(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
  assert.throws(() => KernelInstance.instantiateSync(notSluice, createKernelMemory()), { code: 'ERR_SLUICE_KERNEL_LAYOUT' });
  assert.throws(() => createKernels({ module: notSluice }), { code: 'ERR_SLUICE_KERNEL_LAYOUT' });
});
