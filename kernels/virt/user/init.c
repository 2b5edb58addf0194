/* init: the first process. Starts the shell, restarts it when it exits, reaps orphans. */
#include "user.h"

int main(void) {
  for (;;) {
    int pid = fork();
    if (pid < 0) {
      printf("init: fork failed\n");
      exit(1);
    }
    if (pid == 0) {
      char *argv[] = {"sh", 0};
      exec("/bin/sh", argv);
      printf("init: cannot run /bin/sh\n");
      exit(1);
    }
    int status;
    while (wait(&status) != pid) {
      /* an orphan */
    }
    printf("init: shell exited (status %d), starting a new one\n", status);
  }
}
