/* badstore: a store to kernel memory (supervisor-only pages): a page fault, error code 7. */
#include "user.h"

int main(void) {
  printf("badstore: store to 0x00100000 (kernel text)\n");
  *(volatile unsigned *)0x00100000 = 0;
  printf("badstore: still alive (wrong!)\n");
  return 0;
}
