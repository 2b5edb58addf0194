/* grep TEXT [FILE...]: lines containing TEXT. */
#include "user.h"

static int contains(const char *line, const char *text) {
  size_t n = strlen(text);
  for (; *line; line++)
    if (strncmp(line, text, n) == 0) return 1;
  return n == 0;
}

static void grep(int fd, const char *text) {
  static char buf[1024];
  int have = 0, n;
  while ((n = read(fd, buf + have, sizeof buf - 1 - have)) > 0) {
    have += n;
    buf[have] = 0;
    char *line = buf, *nl;
    while ((nl = strchr(line, '\n'))) {
      *nl = 0;
      if (contains(line, text)) printf("%s\n", line);
      line = nl + 1;
    }
    have -= line - buf;
    memmove(buf, line, have);
    if (have == (int)sizeof buf - 1) have = 0; /* a line too long: dropped */
  }
  buf[have] = 0;
  if (have && contains(buf, text)) printf("%s\n", buf);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(2, "usage: grep TEXT [FILE...]\n");
    return 2;
  }
  if (argc < 3) grep(0, argv[1]);
  for (int i = 2; i < argc; i++) {
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      fprintf(2, "grep: %s: cannot open\n", argv[i]);
      continue;
    }
    grep(fd, argv[1]);
    close(fd);
  }
  return 0;
}
