export type { Executor } from './executor.js';
export { InlineExecutor, inlineExecutor } from './inline-executor.js';
export * from './pool/index.js';
