/* args: prints its arguments, one a line (only on the SD card, not built into the kernel). */
#include "user.h"

int main(int argc, char **argv) {
  printf("args: argc=%d\n", argc);
  for (int i = 0; i < argc; i++) printf("argv[%d] = \"%s\"\n", i, argv[i]);
  return argc;
}
