/* wc [FILE...]: lines, words and bytes. */
#include "user.h"

static int wc(int fd, const char *name) {
  char buf[512];
  unsigned lines = 0, words = 0, bytes = 0;
  int n, inword = 0;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    for (int i = 0; i < n; i++) {
      bytes++;
      if (buf[i] == '\n') lines++;
      if (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\t') inword = 0;
      else if (!inword) inword = 1, words++;
    }
  }
  printf("%u %u %u%s%s\n", lines, words, bytes, name ? " " : "", name ? name : "");
  return n < 0;
}

int main(int argc, char **argv) {
  int status = 0;
  if (argc < 2) return wc(0, 0);
  for (int i = 1; i < argc; i++) {
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      fprintf(2, "wc: %s: cannot open\n", argv[i]);
      status = 1;
      continue;
    }
    status |= wc(fd, argv[i]);
    close(fd);
  }
  return status;
}
