/*
 * C reference word count for `npm run bench`: words are runs of bytes other
 * than Java `\s` (space, \t, \n, \x0B, \f, \r), counted in an open-addressing
 * table (one per thread with THREADS > 1, see common.h). Prints the pass
 * times, then "count\tword" per distinct word.
 */
#include "common.h"

static unsigned char SPACE[256];

static void *count_words(void *arg) {
  Part *part = arg;
  const unsigned char *bytes = part->bytes;
  size_t i = part->start, n = part->end;
  for (;;) {
    while (i < n && SPACE[bytes[i]]) i++;
    if (i >= n) break;
    size_t start = i;
    while (i < n && !SPACE[bytes[i]]) i++;
    table_find(&part->table, bytes + start, (uint32_t)(i - start))->value.count++;
  }
  return NULL;
}

int main(int argc, char **argv) {
  int iterations = iterations_arg(argc, argv);
  int threads = threads_arg(argc, argv);
  size_t n;
  unsigned char *bytes = read_file(argv[1], &n);
  SPACE[' '] = SPACE['\t'] = SPACE['\n'] = SPACE['\x0B'] = SPACE['\f'] = SPACE['\r'] = 1;
  Part parts[MAX_THREADS];
  for (int i = 0; i < threads; i++) table_init(&parts[i].table, 1 << 16);
  double *times = malloc(sizeof(double) * (size_t)iterations);
  for (int k = 0; k < iterations; k++) {
    for (int i = 0; i < threads; i++) table_clear(&parts[i].table);
    double started = now_ms();
    count_parts(parts, threads, bytes, n, count_words);
    merge_parts(parts, threads, 0);
    times[k] = now_ms() - started;
  }
  print_times(times, iterations);
  Table t = parts[0].table;
  for (size_t i = 0; i <= t.mask; i++) {
    Slot *s = &t.slots[i];
    if (s->key == NULL) continue;
    printf("%llu\t", (unsigned long long)s->value.count);
    fwrite(s->key, 1, s->length, stdout);
    putchar('\n');
  }
  return 0;
}
