/* A free list of 4 KiB pages in [POOL_START, POOL_END) (at their kernel virtual addresses), for page tables and process memory.
 * Only core 0 allocates, with the caller's interrupts masked (exception handlers, or the shell
 * before it starts a process), so there is no lock. */
#include "rpi.h"
#include "mmu.h"

struct free_page {
  struct free_page *next;
};

static struct free_page *free_list;
static uint64_t next_unused = KERNEL_OFFSET + POOL_START; /* pages never handed out yet */

void *page_alloc(void) {
  struct free_page *p = free_list;
  if (p) {
    free_list = p->next;
  } else if (next_unused < KERNEL_OFFSET + POOL_END) {
    p = (struct free_page *)next_unused;
    next_unused += PAGE_SIZE;
  } else {
    return 0;
  }
  uint64_t *w = (uint64_t *)p;
  for (unsigned i = 0; i < PAGE_SIZE / 8; i++) w[i] = 0;
  return p;
}

void page_free(void *page) {
  struct free_page *p = page;
  p->next = free_list;
  free_list = p;
}

unsigned pages_free(void) {
  unsigned n = (unsigned)((KERNEL_OFFSET + POOL_END - next_unused) / PAGE_SIZE);
  for (struct free_page *p = free_list; p; p = p->next) n++;
  return n;
}
