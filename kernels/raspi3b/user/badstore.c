/* badstore: a store to kernel memory (mapped EL1-only in TTBR1) is a permission fault: killed. */
#include "user.h"

int main(void) {
  printf("badstore: writing to kernel memory at 0xffffff8000080000\n");
  *(volatile uint32_t *)0xffffff8000080000UL = 0;
  printf("badstore: still alive (wrong!)\n");
  return 0;
}
