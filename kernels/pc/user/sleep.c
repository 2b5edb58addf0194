/* sleep MS: sleeps, then says whether at least that much time (in 10 ms ticks) went by. */
#include "user.h"

int main(int argc, char **argv) {
  unsigned ms = argc > 1 ? atou(argv[1]) : 100, t0 = ticks();
  sleep_ms(ms);
  printf("sleep: %u ms, at least that long: %s\n", ms, (ticks() - t0) * 10 >= ms ? "yes" : "no");
  return 0;
}
