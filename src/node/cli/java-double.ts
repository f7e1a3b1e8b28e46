/**
 * Java's Double.toString, which Spark's print() uses for a Scala Double: the
 * seed's order totals are Doubles, so Spark prints `(12,65.0)` where JS
 * would print `(12,65)`. Plain decimals, always with a fraction digit, for
 * magnitudes in [10^-3, 10^7); otherwise computerized scientific notation
 * (`1.0E7`, `1.2345E-4`). The digits are the shortest that round-trip, as
 * JS's own and JDK 19+'s (earlier JDKs sometimes print one digit more).
 */
export function javaDoubleString(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    const [digits, exponent] = decimalDigits(magnitude.toExponential());
    if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
    const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
    return `${sign}${whole}.${digits.slice(exponent + 1) || '0'}`;
  }
  // A mantissa has a fraction digit, so two significant digits at least: the two closest to the exact
  // value, which is "d.0" for a normal double whose shortest form is one digit, but 4.9E-324 for the smallest subnormal.
  const shortest = magnitude.toExponential();
  const [digits, exponent] = decimalDigits(shortest.includes('.') ? shortest : magnitude.toExponential(1));
  return `${sign}${digits[0]}.${digits.slice(1)}E${exponent}`;
}

/** The significant digits and the decimal exponent of JS exponential notation ("1.25e+3" → ["125", 3]). */
function decimalDigits(exponential: string): [string, number] {
  const [mantissa, exponent] = exponential.split('e') as [string, string];
  return [mantissa.replace('.', ''), Number(exponent)];
}
