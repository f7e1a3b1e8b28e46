/**
 * `sluice <command> [options]`: dispatch, top-level help, and the mapping
 * from errors to exit codes (see io.ts): 0 ok, 1 failure, 2 bad usage,
 * 3 host unreachable / port in use.
 */

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { type CliIo, EXIT_OK, EXIT_USAGE, exitAfterFlush, processIo } from './io.js';
import { exitCodeFor } from './run-stream.js';
import { operatorMessage } from './operator-message.js';
import type { Command } from './command.js';
import { demoCommand } from './demo.js';
import { genCommand } from './gen.js';
import { ordersCommand } from './orders.js';
import { wordcountCommand } from './wordcount.js';

const COMMANDS: readonly Command[] = [wordcountCommand, ordersCommand, genCommand, demoCommand];

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  const lines = ['Usage: sluice <command> [options]', '', 'Commands:'];
  for (const { name, summary } of COMMANDS) lines.push(`  ${name.padEnd(width)}  ${summary}`);
  lines.push(
    '',
    'Run `sluice <command> --help` for the options of a command, `sluice --version` for the version.',
    '',
    'Exit codes: 0 success, 1 failure (a batch failed, I/O error), 2 bad usage,',
    '            3 host unreachable or port already in use.',
  );
  return lines.join('\n') + '\n';
}

/** The installed package's version, from its package.json (two folders above dist/src/node/cli). */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return String(manifest.version);
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout(`sluice ${packageVersion()}\n`);
    return EXIT_OK;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(mainHelp());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    io.stderr(`sluice: unknown command "${name}".\n\n${mainHelp()}`);
    return EXIT_USAGE;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    const message = operatorMessage(error);
    io.stderr(message.startsWith('sluice') ? `${message}\n` : `sluice ${name}: ${message}\n`);
    return exitCodeFor(error);
  }
}

// Run when executed (bin/sluice.js imports this file), not when imported by tests.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  exitAfterFlush(await runCli(process.argv.slice(2), processIo()));
}
