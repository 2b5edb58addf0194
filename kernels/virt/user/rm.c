/* rm FILE...: removes files (and empty directories). */
#include "user.h"

int main(int argc, char **argv) {
  int status = 0;
  for (int i = 1; i < argc; i++) {
    if (unlink(argv[i]) < 0) {
      fprintf(2, "rm: %s: cannot remove\n", argv[i]);
      status = 1;
    }
  }
  return status;
}
