/* hello: the smallest user program. */
#include "user.h"

int main(void) {
  printf("hello, world! (from ring 3, pid %d)\n", getpid());
  return 0;
}
