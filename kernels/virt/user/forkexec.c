/* forkexec: fork, exec /bin/echo in the child, wait for it in the parent. */
#include "user.h"

int main(void) {
  printf("forkexec: parent pid %d forks\n", getpid());
  int pid = fork();
  if (pid < 0) {
    printf("forkexec: fork failed\n");
    return 1;
  }
  if (pid == 0) {
    char *argv[] = {"echo", "child", "runs", "/bin/echo", "via", "exec", 0};
    exec("/bin/echo", argv);
    printf("forkexec: exec failed\n");
    exit(1);
  }
  int status;
  int w = wait(&status);
  printf("forkexec: child %d exited with status %d (wait returned %d)\n", pid, status, w);
  pid = fork();
  if (pid == 0) exit(42);
  wait(&status);
  printf("forkexec: second child exited with status %d\n", status);
  return 0;
}
