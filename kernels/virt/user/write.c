/* write FILE TEXT...: (re)writes FILE with the text and a newline. */
#include "user.h"

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(2, "usage: write FILE TEXT...\n");
    return 2;
  }
  char buf[256];
  int n = 0;
  for (int i = 2; i < argc; i++) n += snprintf(buf + n, sizeof buf - n, i > 2 ? " %s" : "%s", argv[i]);
  if (n > (int)sizeof buf - 2) n = sizeof buf - 2;
  buf[n++] = '\n';
  int fd = open(argv[1], O_WRONLY | O_CREATE | O_TRUNC);
  if (fd < 0) {
    fprintf(2, "write: %s: cannot create\n", argv[1]);
    return 1;
  }
  int w = write(fd, buf, n);
  close(fd);
  if (w != n) {
    fprintf(2, "write: %s: write error\n", argv[1]);
    return 1;
  }
  printf("wrote %d bytes to %s\n", n, argv[1]);
  return 0;
}
