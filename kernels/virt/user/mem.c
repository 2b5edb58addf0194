/* mem: free memory and disk space. */
#include "user.h"

int main(void) {
  struct meminfo mi;
  meminfo(&mi);
  printf("memory: %u KiB free of %u KiB\n", mi.free_pages * (mi.page_size / 1024), mi.total_pages * (mi.page_size / 1024));
  printf("disk: %u KiB free\n", mi.free_blocks);
  printf("uptime: %d ms\n", uptime());
  return 0;
}
