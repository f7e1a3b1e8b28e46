/**
 * Spark 3.5.7 for the JVM-side checks (`npm run bench:spark` and the Spark
 * parity test): its jars, fetched once from Maven Central by
 * `mvn dependency:copy-dependencies` on bench/spark/pom.xml into
 * node_modules/.cache/sluice-bench-spark (outside git), and Java sources
 * compiled against them with javac when they changed.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const POM = join(ROOT, 'bench', 'spark', 'pom.xml');
const CACHE = join(ROOT, 'node_modules', '.cache', 'sluice-bench-spark');

/** Spark 3.5 on Java 17 needs these (what spark-submit adds, from Spark's JavaModuleOptions); UTF-8 output whatever the locale. */
export const SPARK_JVM_OPTIONS: readonly string[] = [
  ...[
    'java.lang', 'java.lang.invoke', 'java.lang.reflect', 'java.io', 'java.net', 'java.nio', 'java.util', 'java.util.concurrent',
    'java.util.concurrent.atomic', 'sun.nio.ch', 'sun.nio.cs', 'sun.security.action', 'sun.util.calendar',
  ].map((pkg) => `--add-opens=java.base/${pkg}=ALL-UNNAMED`),
  '-Dfile.encoding=UTF-8',
  '-Dstdout.encoding=UTF-8',
  '-Dsun.stdout.encoding=UTF-8',
];

/** The tools a Spark run needs that are not on PATH (empty: all there). */
export function missingJavaTools(): string[] {
  return ['java', 'javac', 'mvn'].filter((tool) => spawnSync(tool, [tool === 'mvn' ? '-v' : '-version'], { stdio: 'ignore' }).status !== 0);
}

/** The folder holding Spark's jars, fetched on first use (and again when the pom changed). */
export function sparkJars(): string {
  mkdirSync(CACHE, { recursive: true });
  const jars = join(CACHE, 'jars');
  const done = join(CACHE, 'jars.done');
  if (!existsSync(done) || statSync(done).mtimeMs < statSync(POM).mtimeMs) {
    rmSync(jars, { recursive: true, force: true });
    console.log(`Fetching Spark 3.5.7 (spark-streaming_2.12 and dependencies) from Maven Central into ${jars} (once)...`);
    copyFileSync(POM, join(CACHE, 'pom.xml'));
    const fetched = spawnSync('mvn', ['-q', '-B', 'dependency:copy-dependencies', `-DoutputDirectory=${jars}`], { cwd: CACHE, stdio: 'inherit' });
    if (fetched.status !== 0) throw new Error('mvn dependency:copy-dependencies failed (see above); is Maven Central reachable?');
    writeFileSync(done, `${readdirSync(jars).length} jars\n`);
  }
  return jars;
}

/** Compiles `source` (a .java file in the repository) against Spark's jars, once per change; returns the classpath to run it with. */
export function compiledAgainstSpark(source: string): string {
  const jars = sparkJars();
  const classes = join(CACHE, 'classes');
  const compiled = join(classes, `${basename(source, '.java')}.class`);
  if (!existsSync(compiled) || statSync(compiled).mtimeMs < statSync(source).mtimeMs) {
    mkdirSync(classes, { recursive: true });
    const built = spawnSync('javac', ['-nowarn', '-cp', `${jars}/*`, '-d', classes, source], { stdio: 'inherit' });
    if (built.status !== 0) throw new Error(`javac ${basename(source)} failed (see above)`);
  }
  return `${classes}:${jars}/*`;
}

/** The repository's root (for sources beside this module's compiled copy in dist/). */
export const REPOSITORY_ROOT = ROOT;
