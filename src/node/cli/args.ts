/**
 * A small, strict argument parser for the sluice commands. Each command
 * declares its options; anything else — an unknown flag, a missing value, a
 * value that does not parse — is an InvalidArgumentError whose message names
 * the flag and shows an accepted example (the CLI exits with code 2).
 *
 *   --name value | --name=value   options with a value
 *   --flag                        booleans
 *   -h, --help                    always accepted
 */

import { InvalidArgumentError } from '../../errors.js';

export interface OptionSpec {
  readonly name: string;
  /** 'boolean' options take no value. */
  readonly type: 'string' | 'boolean';
  /** One line for --help; `value` names the argument in the usage line. */
  readonly help: string;
  readonly value?: string;
}

export interface ParsedArgs {
  readonly values: ReadonlyMap<string, string>;
  readonly flags: ReadonlySet<string>;
  readonly help: boolean;
}

export function parseArgs(command: string, argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const values = new Map<string, string>();
  const flags = new Set<string>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      throw new InvalidArgumentError(`sluice ${command}: unexpected argument "${arg}". Options start with --; see \`sluice ${command} --help\`.`);
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = byName.get(name);
    if (spec === undefined) {
      throw new InvalidArgumentError(`sluice ${command}: unknown option --${name}. See \`sluice ${command} --help\` for the options.`);
    }
    if (spec.type === 'boolean') {
      if (eq !== -1) throw new InvalidArgumentError(`sluice ${command}: --${name} takes no value.`);
      flags.add(name);
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) {
        throw new InvalidArgumentError(`sluice ${command}: --${name} needs a value (${spec.value ?? 'VALUE'}).`);
      }
      i++;
    }
    // An empty path would mean the current directory (checkpoints and output folders written among the user's files).
    if (value.trim() === '') throw new InvalidArgumentError(`sluice ${command}: --${name} needs a value (${spec.value ?? 'VALUE'}), not an empty string.`);
    if (values.has(name)) throw new InvalidArgumentError(`sluice ${command}: --${name} given twice.`);
    values.set(name, value);
  }
  return { values, flags, help };
}

export function usage(command: string, summary: string, specs: readonly OptionSpec[], footer = ''): string {
  const rows = specs.map((spec) => [`--${spec.name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`, spec.help] as const);
  const width = Math.max(...rows.map(([left]) => left.length), 10);
  const lines = [`Usage: sluice ${command} [options]`, '', summary, '', 'Options:'];
  for (const [left, right] of rows) lines.push(`  ${left.padEnd(width)}  ${right}`);
  lines.push(`  ${'--help'.padEnd(width)}  Show this help.`);
  if (footer !== '') lines.push('', footer);
  return lines.join('\n') + '\n';
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * "500ms", "1s", "1.5s", "2m", "1h". The unit is required: a bare "500"
 * could mean milliseconds (the library's unit) or seconds (Spark's
 * Seconds(n)), so guessing would silently give batches 1000 times too long or short.
 */
export function parseDuration(flag: string, text: string, maxMs = Number.MAX_SAFE_INTEGER): number {
  const trimmed = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) {
    throw new InvalidArgumentError(`--${flag} "${text}" needs a unit: ${trimmed}ms or ${trimmed}s (also m, h).`);
  }
  const match = DURATION.exec(trimmed);
  const ms = match === null ? NaN : Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  if (!Number.isFinite(ms) || ms <= 0 || !Number.isSafeInteger(ms)) {
    throw new InvalidArgumentError(`--${flag} "${text}" is not a duration; use e.g. 500ms, 1s, 2m (a whole number of milliseconds, above 0).`);
  }
  if (ms > maxMs) throw new InvalidArgumentError(`--${flag} "${text}" is too long: at most ${maxMs} ms (${Math.floor(maxMs / 86_400_000)} days).`);
  return ms;
}

/** "1000", "1000/s", "10k/s", "2.5m/s": lines per second. */
export function parseRate(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)([km])?(?:\/s)?$/i.exec(text.trim());
  const factor = match?.[2] === undefined ? 1 : match[2].toLowerCase() === 'k' ? 1000 : 1_000_000;
  const rate = match === null ? NaN : Number(match[1]) * factor;
  if (!Number.isFinite(rate) || rate <= 0) {
    throw new InvalidArgumentError(`--${flag} "${text}" is not a rate; use lines per second, e.g. 1000/s or 50k/s.`);
  }
  return rate;
}

export function parseInteger(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`--${flag} "${text}" must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}.`);
  }
  return value;
}

export function parsePort(flag: string, text: string, allowZero = false): number {
  return parseInteger(flag, text, allowZero ? 0 : 1, 65535);
}

/** "host:port", "[::1]:port", or just "port" (host 127.0.0.1). */
export function parseHostPort(flag: string, text: string): { host: string; port: number } {
  // The message names the whole value: `--socket "99999" must be ...` would hide which part is wrong.
  const port = (digits: string): number => {
    const value = /^\d+$/.test(digits) ? Number(digits) : NaN;
    if (!(value >= 1 && value <= 65535)) throw new InvalidArgumentError(`--${flag} "${text}": the port must be a whole number from 1 to 65535, e.g. 127.0.0.1:9999.`);
    return value;
  };
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  if (bracketed !== null) return { host: bracketed[1] as string, port: port(bracketed[2] as string) };
  const colon = text.lastIndexOf(':');
  if (colon === -1) {
    if (/^\d+$/.test(text)) return { host: '127.0.0.1', port: port(text) };
    throw new InvalidArgumentError(`--${flag} "${text}" needs HOST:PORT, e.g. 127.0.0.1:9999.`);
  }
  const host = text.slice(0, colon);
  if (host === '' || host.includes(':')) throw new InvalidArgumentError(`--${flag} "${text}" needs HOST:PORT, e.g. 127.0.0.1:9999 (IPv6 as [::1]:9999).`);
  return { host, port: port(text.slice(colon + 1)) };
}

/**
 * "host:port[,host:port...]" (IPv6 as [::1]:port) for --kafka. Each broker
 * is checked here: kafkajs takes a port out of range, or a missing one, as a
 * connection error and retries it forever instead of saying what is wrong.
 */
export function parseBrokers(flag: string, text: string): string[] {
  const brokers = text.split(',').map((broker) => broker.trim()).filter((broker) => broker !== '');
  if (brokers.length === 0) throw new InvalidArgumentError(`--${flag} "${text}" needs HOST:PORT[,HOST:PORT...], e.g. 127.0.0.1:9092.`);
  for (const broker of brokers) {
    // Without a colon (a bare port, HOST:PORT's shorthand for sockets, included) kafkajs would read it as a host name.
    if (!broker.includes(':')) throw new InvalidArgumentError(`--${flag} "${broker}" needs HOST:PORT, e.g. 127.0.0.1:9092.`);
    // kafkajs splits a broker at its first colon, so an IPv6 literal never connects.
    if (broker.startsWith('[')) throw new InvalidArgumentError(`--${flag} "${broker}": Kafka's client cannot reach an IPv6 literal; give a host name that resolves to it.`);
    const { port } = parseHostPort(flag, broker);
    if (port === 0) throw new InvalidArgumentError(`--${flag} "${broker}": the port must be a whole number from 1 to 65535, e.g. 127.0.0.1:9092.`);
  }
  return brokers;
}
