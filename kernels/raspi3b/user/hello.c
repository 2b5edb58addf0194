/* hello: the smallest user program. */
#include "user.h"

int main(void) {
  printf("hello, world! (from EL0, pid %d)\n", getpid());
  return 0;
}
