/* echo ARG...: prints its arguments, separated by spaces (a program, so it can feed a pipe). */
#include "user.h"

int main(int argc, char **argv) {
  static char line[256];
  unsigned n = 0;
  for (int i = 1; i < argc; i++) {
    if (i > 1 && n < sizeof line - 2) line[n++] = ' ';
    for (const char *p = argv[i]; *p && n < sizeof line - 2; p++) line[n++] = *p;
  }
  line[n++] = '\n';
  write(1, line, n);
  return 0;
}
