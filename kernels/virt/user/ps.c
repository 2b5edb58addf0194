/* ps: the process table. */
#include "user.h"

static const char *states[] = {"unused", "embryo", "sleep", "ready", "run", "zombie"};

int main(void) {
  static struct procinfo p[32];
  /* Let the shell that started us reach wait(): a timer tick could otherwise catch it between
   * fork() and wait() and show it ready instead of sleeping. */
  sleep(20);
  int n = procs(p, 32);
  /* by pid */
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && p[j].pid < p[j - 1].pid; j--) {
      struct procinfo t = p[j];
      p[j] = p[j - 1];
      p[j - 1] = t;
    }
  printf("  PID  PPID STATE     MEM NAME\n");
  for (int i = 0; i < n; i++)
    printf("%5d %5d %-6s %5uK %s\n", p[i].pid, p[i].ppid, p[i].state >= 0 && p[i].state <= 5 ? states[p[i].state] : "?",
           p[i].mem / 1024, p[i].name);
  return 0;
}
