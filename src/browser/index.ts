export { BrowserWorkerPool, browserExecutor, canRunWorkerPool } from './browser-pool.js';
