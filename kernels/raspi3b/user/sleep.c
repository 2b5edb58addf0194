/* sleep MS: blocks in the kernel for MS milliseconds; the CPU goes to other processes. */
#include "user.h"

int main(int argc, char **argv) {
  if (argc < 2) {
    printf("usage: sleep MS\n");
    return 1;
  }
  unsigned ms = atou(argv[1]);
  uint64_t t0 = counter();
  sleep_ms(ms);
  uint64_t elapsed_ms = (counter() - t0) * 1000 / counter_hz();
  /* The exact time depends on the host; only the check is printed. */
  printf("sleep: %u ms, at least that long: %s\n", ms, elapsed_ms >= ms ? "yes" : "no");
  return 0;
}
