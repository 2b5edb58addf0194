/* wc FILE...: lines, words and bytes of each file; without FILE, of its input (a pipe). */
#include "user.h"

int main(int argc, char **argv) {
  static char buf[512];
  for (int i = argc == 1 ? 0 : 1; i < argc; i++) {
    int fd = i ? open(argv[i]) : 0;
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
    if (!i) {
      printf("%u %u %u\n", lines, words, bytes);
      break;
    }
    close(fd);
    printf("%u %u %u %s\n", lines, words, bytes, argv[i]);
  }
  return 0;
}
