/* wc FILE...: lines, words and bytes of each file. */
#include "user.h"

int main(int argc, char **argv) {
  static char buf[512];
  for (int i = 1; i < argc; i++) {
    int fd = open(argv[i]);
    if (fd < 0) {
      printf("wc: %s: no such file\n", argv[i]);
      continue;
    }
    unsigned lines = 0, words = 0, bytes = 0, in_word = 0;
    long n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
      for (long k = 0; k < n; k++) {
        char c = buf[k];
        bytes++;
        if (c == '\n') lines++;
        int space = c == ' ' || c == '\n' || c == '\t';
        if (!space && !in_word) words++;
        in_word = !space;
      }
    }
    close(fd);
    printf("%u %u %u %s\n", lines, words, bytes, argv[i]);
  }
  return 0;
}
