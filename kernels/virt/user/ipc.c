/* ipc: a parent and a child exchange messages through two pipes (ping-pong). */
#include "user.h"

#define ROUNDS 3

static int readmsg(int fd, char *buf, int max) {
  int n = read(fd, buf, max - 1);
  buf[n > 0 ? n : 0] = 0;
  return n;
}

int main(void) {
  int down[2], up[2];
  char buf[64];
  if (pipe(down) < 0 || pipe(up) < 0) {
    printf("ipc: pipe failed\n");
    return 1;
  }
  int pid = fork();
  if (pid == 0) {
    close(down[1]);
    close(up[0]);
    while (readmsg(down[0], buf, sizeof buf) > 0) {
      printf("ipc: child %d got \"%s\"\n", getpid(), buf);
      char reply[64];
      int n = snprintf(reply, sizeof reply, "pong %s", buf + 5);
      write(up[1], reply, n);
    }
    printf("ipc: child sees end of input, exits\n");
    exit(0);
  }
  close(down[0]);
  close(up[1]);
  for (int i = 1; i <= ROUNDS; i++) {
    int n = snprintf(buf, sizeof buf, "ping %d", i);
    write(down[1], buf, n);
    readmsg(up[0], buf, sizeof buf);
    printf("ipc: parent %d got \"%s\"\n", getpid(), buf);
  }
  close(down[1]);
  int status;
  wait(&status);
  printf("ipc: %d round trips, child exited with status %d\n", ROUNDS, status);
  return 0;
}
