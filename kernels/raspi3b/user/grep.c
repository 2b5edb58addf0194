/* grep TEXT [FILE...]: prints the lines that contain TEXT (without FILE, of its input). */
#include "user.h"

static int contains(const char *line, const char *text) {
  for (; *line; line++) {
    const char *a = line, *b = text;
    while (*b && *a == *b) a++, b++;
    if (!*b) return 1;
  }
  return !*text;
}

int main(int argc, char **argv) {
  static char buf[512], line[256];
  if (argc < 2) {
    printf("usage: grep TEXT [FILE...]\n");
    return 2;
  }
  int found = 0;
  for (int i = argc == 2 ? 1 : 2; i < argc; i++) {
    int fd = i == 1 ? 0 : open(argv[i]);
    if (fd < 0) {
      printf("grep: %s: no such file\n", argv[i]);
      continue;
    }
    unsigned len = 0;
    long n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
      for (long k = 0; k < n; k++) {
        if (buf[k] != '\n' && len < sizeof line - 1) {
          line[len++] = buf[k];
          continue;
        }
        if (buf[k] != '\n') continue; /* a line too long: the rest is dropped */
        line[len] = 0;
        if (contains(line, argv[1])) printf("%s\n", line), found = 1;
        len = 0;
      }
    }
    if (fd) close(fd);
  }
  return found ? 0 : 1;
}
