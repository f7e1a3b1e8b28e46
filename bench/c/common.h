/*
 * Shared by the C references of `npm run bench`: read the corpus file once,
 * time each pass with a monotonic clock, and print the per-pass times on the
 * first output line ("ms t1 t2 ...") so the caller can take a median without
 * counting process start-up or file reading. With THREADS > 1 the input is
 * cut at line ends into that many parts, each counted by its own thread into
 * its own table, and the tables are added into the first: a pass's time then
 * includes starting and joining the threads and that merge, as the worker
 * pool's includes its own.
 */
#ifndef SLUICE_BENCH_COMMON_H
#define SLUICE_BENCH_COMMON_H
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The whole file, followed by 64 zero bytes of padding. */
static unsigned char *read_file(const char *path, size_t *length) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) { perror(path); exit(2); }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *bytes = calloc((size_t)size + 64, 1);
  if (bytes == NULL || fread(bytes, 1, (size_t)size, f) != (size_t)size) { fprintf(stderr, "cannot read %s\n", path); exit(2); }
  fclose(f);
  *length = (size_t)size;
  return bytes;
}

static int iterations_arg(int argc, char **argv) {
  if (argc != 3 && argc != 4) { fprintf(stderr, "usage: %s FILE ITERATIONS [THREADS]\n", argv[0]); exit(2); }
  int n = atoi(argv[2]);
  return n > 0 ? n : 1;
}

#define MAX_THREADS 64

static int threads_arg(int argc, char **argv) {
  int n = argc == 4 ? atoi(argv[3]) : 1;
  return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : n;
}

/* Part i of `parts` is [cuts[i], cuts[i + 1]); every cut but the ends is just after a '\n'. */
static void cut_at_lines(const unsigned char *bytes, size_t n, int parts, size_t *cuts) {
  cuts[0] = 0;
  for (int i = 1; i < parts; i++) {
    size_t at = n / (size_t)parts * (size_t)i;
    if (at < cuts[i - 1]) at = cuts[i - 1];
    const unsigned char *newline = memchr(bytes + at, '\n', n - at);
    cuts[i] = newline == NULL ? n : (size_t)(newline - bytes) + 1;
  }
  cuts[parts] = n;
}

/* FNV-1a, 64-bit: the plain textbook hash a C programmer reaches for. */
static inline uint64_t fnv1a(const unsigned char *p, size_t n) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ULL;
  return h;
}

/* Open addressing with linear probing; keys point into the input buffer. */
typedef struct {
  const unsigned char *key;
  uint32_t length;
  uint64_t hash;
  union { uint64_t count; double sum; } value;
} Slot;

typedef struct {
  Slot *slots;
  size_t mask;
  size_t size;
} Table;

static void table_init(Table *t, size_t capacity) {
  t->slots = calloc(capacity, sizeof(Slot));
  if (t->slots == NULL) { fprintf(stderr, "out of memory\n"); exit(2); }
  t->mask = capacity - 1;
  t->size = 0;
}

static void table_clear(Table *t) {
  memset(t->slots, 0, (t->mask + 1) * sizeof(Slot));
  t->size = 0;
}

static void table_grow(Table *t) {
  Table bigger;
  table_init(&bigger, (t->mask + 1) * 2);
  for (size_t i = 0; i <= t->mask; i++) {
    Slot *s = &t->slots[i];
    if (s->key == NULL) continue;
    size_t j = s->hash & bigger.mask;
    while (bigger.slots[j].key != NULL) j = (j + 1) & bigger.mask;
    bigger.slots[j] = *s;
  }
  bigger.size = t->size;
  free(t->slots);
  *t = bigger;
}

/* The slot of key (inserted with a zero value when new). */
static inline Slot *table_find(Table *t, const unsigned char *key, uint32_t length) {
  uint64_t h = fnv1a(key, length);
  size_t i = h & t->mask;
  for (;;) {
    Slot *s = &t->slots[i];
    if (s->key == NULL) {
      if ((t->size + 1) * 4 > (t->mask + 1) * 3) { table_grow(t); return table_find(t, key, length); }
      s->key = key;
      s->length = length;
      s->hash = h;
      t->size++;
      return s;
    }
    if (s->hash == h && s->length == length && memcmp(s->key, key, length) == 0) return s;
    i = (i + 1) & t->mask;
  }
}

/* One thread's share of a pass: its bytes, its table, its malformed-line count. */
typedef struct {
  const unsigned char *bytes;
  size_t start, end;
  Table table;
  size_t malformed;
} Part;

typedef void *(*PartCounter)(void *part);

/* Cuts the input into `threads` parts and counts them at once, part 0 on the calling thread. */
static void count_parts(Part *parts, int threads, const unsigned char *bytes, size_t n, PartCounter count) {
  size_t cuts[MAX_THREADS + 1];
  cut_at_lines(bytes, n, threads, cuts);
  pthread_t ids[MAX_THREADS];
  for (int i = 0; i < threads; i++) {
    parts[i].bytes = bytes;
    parts[i].start = cuts[i];
    parts[i].end = cuts[i + 1];
    parts[i].malformed = 0;
    if (i > 0 && pthread_create(&ids[i], NULL, count, &parts[i]) != 0) { fprintf(stderr, "pthread_create failed\n"); exit(2); }
  }
  count(&parts[0]);
  for (int i = 1; i < threads; i++) pthread_join(ids[i], NULL);
}

/* Adds every other part's table (counts, or sums when `sums`) and malformed lines into part 0's. */
static void merge_parts(Part *parts, int threads, int sums) {
  for (int i = 1; i < threads; i++) {
    Table *t = &parts[i].table;
    for (size_t j = 0; j <= t->mask; j++) {
      Slot *s = &t->slots[j];
      if (s->key == NULL) continue;
      Slot *into = table_find(&parts[0].table, s->key, s->length);
      if (sums) into->value.sum += s->value.sum;
      else into->value.count += s->value.count;
    }
    parts[0].malformed += parts[i].malformed;
  }
}

static void print_times(const double *times, int n) {
  printf("ms");
  for (int i = 0; i < n; i++) printf(" %.3f", times[i]);
  printf("\n");
}
#endif
