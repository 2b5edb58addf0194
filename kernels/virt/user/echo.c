/* echo: prints its arguments. */
#include "user.h"

int main(int argc, char **argv) {
  char buf[256];
  int n = 0;
  for (int i = 1; i < argc; i++) n += snprintf(buf + n, sizeof buf - n, i > 1 ? " %s" : "%s", argv[i]);
  if (n > (int)sizeof buf - 2) n = sizeof buf - 2;
  buf[n++] = '\n';
  write(1, buf, n);
  return 0;
}
