/* sleep MS: sleeps for MS milliseconds. */
#include "user.h"

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(2, "usage: sleep MS\n");
    return 2;
  }
  sleep(atoi(argv[1]));
  return 0;
}
