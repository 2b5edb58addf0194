/* spin MS: a CPU-bound loop on the generic counter, no system call until it is over; exits with
 * the number of times the timer preempted it (at most 255), for the shell's `preempt`. */
#include "user.h"

int main(int argc, char **argv) {
  uint64_t until = counter() + counter_hz() * (argc > 1 ? atou(argv[1]) : 100) / 1000;
  while (counter() < until) {}
  unsigned n = preempted();
  return n > 255 ? 255 : (int)n;
}
