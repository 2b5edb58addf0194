/* spin [TICKS]: a CPU-bound loop (no system call but the clock) for TICKS timer ticks; exits
 * with how often the PIT preempted it (at most 255), for the shell's `preempt`. */
#include "user.h"

int main(int argc, char **argv) {
  unsigned until = ticks() + (argc > 1 ? atou(argv[1]) : 30);
  while ((int)(until - ticks()) > 0)
    for (volatile unsigned i = 0; i < 10000; i++) {}
  unsigned n = preempted();
  return n > 255 ? 255 : (int)n;
}
