#!/usr/bin/env node
// The sluice CLI; the commands live in dist/src/node/cli (built by `npm run build`).
import { runCli } from '../dist/src/node/cli/main.js';
import { exitAfterFlush, processIo } from '../dist/src/node/cli/io.js';

exitAfterFlush(await runCli(process.argv.slice(2), processIo()));
