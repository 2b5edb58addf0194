/* The kernel heap: a first-fit list of blocks (a header each: size and a free flag) in a fixed
 * 1 MiB area; free merges a block with its free neighbours; realloc grows in place when the
 * next block is free, or moves. Sizes are rounded to 8 bytes. */
#include "pc.h"

#define HEAP_SIZE (1u << 20)
struct block {
  uint32_t size; /* bytes after the header */
  uint32_t free;
};
static uint8_t heap[HEAP_SIZE] __attribute__((aligned(8)));
static int ready;

static struct block *next_of(struct block *b) { return (struct block *)((uint8_t *)(b + 1) + b->size); }
static int in_heap(struct block *b) { return (uint8_t *)b < heap + HEAP_SIZE; }

static void split(struct block *b, uint32_t n) {
  if (b->size >= n + sizeof(struct block) + 8) {
    struct block *rest = (struct block *)((uint8_t *)(b + 1) + n);
    rest->size = b->size - n - sizeof(struct block);
    rest->free = 1;
    b->size = n;
  }
}

static void heap_init(void) {
  struct block *b = (struct block *)heap;
  if (!ready) b->size = HEAP_SIZE - sizeof *b, b->free = 1, ready = 1;
}

void *malloc(size_t n) {
  struct block *b = (struct block *)heap;
  heap_init();
  n = (n + 7) & ~7u;
  for (; in_heap(b); b = next_of(b)) {
    if (b->free && b->size >= n) {
      split(b, n);
      b->free = 0;
      return b + 1;
    }
  }
  return 0;
}

static void merge_next(struct block *b) {
  while (in_heap(next_of(b)) && next_of(b)->free) b->size += sizeof(struct block) + next_of(b)->size;
}

void free(void *p) {
  if (!p) return;
  struct block *b = (struct block *)p - 1;
  b->free = 1;
  /* merge from the start: a block does not know its predecessor */
  for (struct block *a = (struct block *)heap; in_heap(a); a = next_of(a))
    if (a->free) merge_next(a);
}

void *realloc(void *p, size_t n) {
  if (!p) return malloc(n);
  struct block *b = (struct block *)p - 1;
  n = (n + 7) & ~7u;
  if (b->size >= n) return p;
  if (in_heap(next_of(b)) && next_of(b)->free && b->size + sizeof *b + next_of(b)->size >= n) {
    merge_next(b);
    split(b, n);
    return p;
  }
  void *q = malloc(n);
  if (q) memcpy(q, p, b->size), free(p);
  return q;
}

void heap_stats(unsigned *used, unsigned *free_bytes) {
  *used = *free_bytes = 0;
  heap_init();
  for (struct block *b = (struct block *)heap; in_heap(b); b = next_of(b))
    if (b->free) *free_bytes += b->size;
    else (*used)++;
}
