/**
 * One sluice command: its options, its --help text, and what it runs. The
 * --help handling and the usage text are the same for every command, so
 * they live here rather than in each command file.
 */

import { type OptionSpec, type ParsedArgs, parseArgs, usage } from './args.js';
import { type CliIo, EXIT_OK } from './io.js';

export interface CommandSpec {
  readonly name: string;
  /** One line for `sluice --help`. */
  readonly summary: string;
  /** The paragraph under the usage line of `sluice <name> --help`. */
  readonly description: string;
  readonly options: readonly OptionSpec[];
  /** Shown at the end of --help. */
  readonly examples?: string;
  /** Runs with parsed arguments; returns the exit code. */
  readonly run: (args: ParsedArgs, io: CliIo) => Promise<number>;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly help: string;
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

export function defineCommand(spec: CommandSpec): Command {
  const help = usage(spec.name, spec.description, spec.options, spec.examples === undefined ? '' : `Examples:\n${spec.examples}`);
  return {
    name: spec.name,
    summary: spec.summary,
    help,
    async run(argv, io) {
      const args = parseArgs(spec.name, argv, spec.options);
      if (args.help) {
        io.stdout(help);
        return EXIT_OK;
      }
      return spec.run(args, io);
    },
  };
}
