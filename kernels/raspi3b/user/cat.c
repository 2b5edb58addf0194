/* cat FILE...: prints files of the SD card (open/read/write); without FILE, its input (a pipe). */
#include "user.h"

int main(int argc, char **argv) {
  static char buf[512];
  int status = 0;
  if (argc == 1) {
    long n;
    while ((n = read(0, buf, sizeof buf)) > 0) write(1, buf, (size_t)n);
    return 0;
  }
  for (int i = 1; i < argc; i++) {
    int fd = open(argv[i]);
    if (fd < 0) {
      printf("cat: %s: no such file\n", argv[i]);
      status = 1;
      continue;
    }
    long n;
    while ((n = read(fd, buf, sizeof buf)) > 0) write(1, buf, (size_t)n);
    close(fd);
  }
  return status;
}
