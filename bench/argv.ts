/** `--name N` and `--json FILE` of the Kafka benchmarks' command lines (bench/kafka.ts, bench/changelog.ts). */
export function numberOption(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

/** The file named by `--json FILE`, if given. */
export function jsonFileOption(): string | undefined {
  const i = process.argv.indexOf('--json');
  return i === -1 ? undefined : process.argv[i + 1];
}
