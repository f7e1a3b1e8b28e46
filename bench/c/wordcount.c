/*
 * C reference word count for `npm run bench`: words are runs of bytes other
 * than Java `\s` (space, \t, \n, \x0B, \f, \r), counted in an open-addressing
 * table. Prints the pass times, then "count\tword" per distinct word.
 */
#include "common.h"

static unsigned char SPACE[256];

int main(int argc, char **argv) {
  int iterations = iterations_arg(argc, argv);
  size_t n;
  unsigned char *bytes = read_file(argv[1], &n);
  SPACE[' '] = SPACE['\t'] = SPACE['\n'] = SPACE['\x0B'] = SPACE['\f'] = SPACE['\r'] = 1;
  Table t;
  table_init(&t, 1 << 16);
  double *times = malloc(sizeof(double) * (size_t)iterations);
  for (int k = 0; k < iterations; k++) {
    table_clear(&t);
    double started = now_ms();
    size_t i = 0;
    for (;;) {
      while (i < n && SPACE[bytes[i]]) i++;
      if (i >= n) break;
      size_t start = i;
      while (i < n && !SPACE[bytes[i]]) i++;
      table_find(&t, bytes + start, (uint32_t)(i - start))->value.count++;
    }
    times[k] = now_ms() - started;
  }
  print_times(times, iterations);
  for (size_t i = 0; i <= t.mask; i++) {
    Slot *s = &t.slots[i];
    if (s->key == NULL) continue;
    printf("%llu\t", (unsigned long long)s->value.count);
    fwrite(s->key, 1, s->length, stdout);
    putchar('\n');
  }
  return 0;
}
