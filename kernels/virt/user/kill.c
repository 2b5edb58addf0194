/* kill PID...: ends processes. */
#include "user.h"

int main(int argc, char **argv) {
  int status = 0;
  for (int i = 1; i < argc; i++) {
    if (kill(atoi(argv[i])) < 0) {
      fprintf(2, "kill: %s: no such process\n", argv[i]);
      status = 1;
    }
  }
  return status;
}
