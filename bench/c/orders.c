/*
 * C reference for the orders sum of `npm run bench`: lines
 * `orderId,provinceId,orderPrice`, total price per province, in doubles
 * added in line order (with THREADS > 1: per thread, then thread by
 * thread). A line is malformed (counted, skipped) when it does not have
 * exactly 3 fields, the key is empty, or the price is not a decimal
 * number ([ws][+|-](digits[.[digits]] | .digits)[(e|E)[+|-]digits][ws]).
 * Plain `digits[.digits]` prices take a fixed-point path (integer mantissa,
 * one correctly rounded division: exact as strtod); the rest go to strtod.
 * Prints the pass times, "malformed N", then "sum\tprovince" per province.
 */
#include <ctype.h>
#include <math.h>
#include "common.h"

static const double POW10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static int is_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

static double parse_general(const unsigned char *p, const unsigned char *end) {
  while (p < end && is_space(*p)) p++;
  while (end > p && is_space(end[-1])) end--;
  const unsigned char *q = p;
  if (q < end && (*q == '+' || *q == '-')) q++;
  int digits = 0;
  while (q < end && isdigit(*q)) { q++; digits++; }
  if (q < end && *q == '.') { q++; while (q < end && isdigit(*q)) { q++; digits++; } }
  if (digits == 0) return NAN;
  if (q < end && (*q | 0x20) == 'e') {
    q++;
    if (q < end && (*q == '+' || *q == '-')) q++;
    int expDigits = 0;
    while (q < end && isdigit(*q)) { q++; expDigits++; }
    if (expDigits == 0) return NAN;
  }
  if (q != end) return NAN;
  char text[512];
  size_t length = (size_t)(end - p);
  if (length >= sizeof text) return NAN;
  memcpy(text, p, length);
  text[length] = 0;
  double v = strtod(text, NULL);
  return isfinite(v) ? v : NAN;
}

static inline double parse_price(const unsigned char *p, const unsigned char *end) {
  const unsigned char *q = p;
  uint64_t mantissa = 0;
  while (q < end && (unsigned)(*q - '0') <= 9) mantissa = mantissa * 10 + (unsigned)(*q++ - '0');
  size_t intDigits = (size_t)(q - p), fraction = 0;
  if (q < end && *q == '.') {
    const unsigned char *f = ++q;
    while (q < end && (unsigned)(*q - '0') <= 9) mantissa = mantissa * 10 + (unsigned)(*q++ - '0');
    fraction = (size_t)(q - f);
  }
  size_t digits = intDigits + fraction;
  if (q == end && digits >= 1 && digits <= 15) return (double)mantissa / POW10[fraction];
  return parse_general(p, end);
}

static void *sum_orders(void *arg) {
  Part *part = arg;
  const unsigned char *line = part->bytes + part->start, *end = part->bytes + part->end;
  while (line < end) {
    const unsigned char *newline = memchr(line, '\n', (size_t)(end - line));
    const unsigned char *lineEnd = newline == NULL ? end : newline;
    const unsigned char *comma1 = memchr(line, ',', (size_t)(lineEnd - line));
    const unsigned char *comma2 = comma1 == NULL ? NULL : memchr(comma1 + 1, ',', (size_t)(lineEnd - comma1 - 1));
    int good = comma2 != NULL && comma2 > comma1 + 1 && memchr(comma2 + 1, ',', (size_t)(lineEnd - comma2 - 1)) == NULL;
    double price = good ? parse_price(comma2 + 1, lineEnd) : NAN;
    if (good && price == price) table_find(&part->table, comma1 + 1, (uint32_t)(comma2 - comma1 - 1))->value.sum += price;
    else part->malformed++;
    line = lineEnd + 1;
  }
  return NULL;
}

int main(int argc, char **argv) {
  int iterations = iterations_arg(argc, argv);
  int threads = threads_arg(argc, argv);
  size_t n;
  unsigned char *bytes = read_file(argv[1], &n);
  Part parts[MAX_THREADS];
  for (int i = 0; i < threads; i++) table_init(&parts[i].table, 1 << 8);
  double *times = malloc(sizeof(double) * (size_t)iterations);
  for (int k = 0; k < iterations; k++) {
    for (int i = 0; i < threads; i++) table_clear(&parts[i].table);
    double started = now_ms();
    count_parts(parts, threads, bytes, n, sum_orders);
    merge_parts(parts, threads, 1);
    times[k] = now_ms() - started;
  }
  print_times(times, iterations);
  printf("malformed %zu\n", parts[0].malformed);
  Table t = parts[0].table;
  for (size_t i = 0; i <= t.mask; i++) {
    Slot *s = &t.slots[i];
    if (s->key == NULL) continue;
    printf("%.17g\t", s->value.sum);
    fwrite(s->key, 1, s->length, stdout);
    putchar('\n');
  }
  return 0;
}
