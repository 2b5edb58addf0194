/* ping [N] [WORD]: prints WORD and its round N times, yielding the CPU after each line; two of
 * them (ping and pong) take turns under the cooperative scheduler. */
#include "user.h"

int main(int argc, char **argv) {
  unsigned n = argc > 1 ? atou(argv[1]) : 3;
  const char *word = argc > 2 ? argv[2] : argv[0];
  for (unsigned i = 1; i <= n; i++) {
    printf("%s %u (pid %d)\n", word, i, getpid());
    yield();
  }
  return 0;
}
