/* cat: copies files (or standard input) to standard output. */
#include "user.h"

static int copy(int fd) {
  char buf[512];
  int n;
  while ((n = read(fd, buf, sizeof buf)) > 0)
    if (write(1, buf, n) != n) return -1;
  return n;
}

int main(int argc, char **argv) {
  int status = 0;
  if (argc < 2) return copy(0) < 0;
  for (int i = 1; i < argc; i++) {
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      fprintf(2, "cat: %s: cannot open\n", argv[i]);
      status = 1;
      continue;
    }
    if (copy(fd) < 0) {
      fprintf(2, "cat: %s: read error\n", argv[i]);
      status = 1;
    }
    close(fd);
  }
  return status;
}
