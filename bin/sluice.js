#!/usr/bin/env node
// The sluice CLI; the commands live in dist/src/node/cli (built by `npm run build`).
import { runCli } from '../dist/src/node/cli/main.js';
import { processIo } from '../dist/src/node/cli/io.js';

process.exitCode = await runCli(process.argv.slice(2), processIo());
// Sockets or timers a command leaves behind must not keep the process alive after it finished.
process.exit();
