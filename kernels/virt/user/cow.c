/*
 * cow: fork shares pages copy-on-write. The parent fills 16 pages; the child reads them (no copy),
 * writes 4 (4 pages copied); the parent still sees its data; no page is lost afterwards.
 */
#include "user.h"

#define PAGES 16
#define PG 4096

static unsigned free_pages(void) {
  struct meminfo mi;
  meminfo(&mi);
  return mi.free_pages;
}

int main(void) {
  char *buf = sbrk(PAGES * PG);
  memset(buf, 'P', PAGES * PG);
  printf("cow: parent filled %d pages with 'P'\n", PAGES);
  unsigned before = free_pages();
  int pid = fork();
  if (pid == 0) {
    printf("cow: child reads the pages...\n");
    unsigned f0 = free_pages();
    int same = 1;
    for (int i = 0; i < PAGES * PG; i++) same &= buf[i] == 'P';
    unsigned f1 = free_pages();
    for (int p = 0; p < 4; p++) memset(buf + p * PG, 'C', PG);
    unsigned f2 = free_pages();
    printf("cow: child sees the parent's data: %s; reading copied %u pages\n", same ? "yes" : "no", f0 - f1);
    printf("cow: child wrote 4 pages: %u pages copied\n", f1 - f2);
    exit(0);
  }
  wait(0);
  int same = 1;
  for (int i = 0; i < PAGES * PG; i++) same &= buf[i] == 'P';
  printf("cow: parent still sees only 'P': %s\n", same ? "yes" : "no");
  unsigned after = free_pages();
  printf("cow: free pages before fork and after the child exited are equal: %s\n", before == after ? "yes" : "no");
  return 0;
}
