/*
 * preempt: two CPU-bound children that never yield nor make a system call in their loops, each
 * counting in shared memory and watching the other's counter. Only timer preemption lets each
 * see the other make progress; the verdict (not the timing-dependent counts) is printed.
 */
#include "user.h"

#define ROUNDS 3          /* changes of the other's counter each child waits for */
#define LIMIT 100000000u  /* loop bound, in case nothing preempts */

struct shared {
  volatile unsigned count[2];
  volatile unsigned seen[2];
  volatile int done[2];
};

static void child(struct shared *s, int me) {
  int other = 1 - me;
  unsigned last = s->count[other], seen = 0;
  for (unsigned n = 0; seen < ROUNDS && !s->done[other] && n < LIMIT; n++) {
    s->count[me]++;
    unsigned now = s->count[other];
    if (now != last) {
      seen++;
      last = now;
    }
  }
  s->seen[me] = seen;
  s->done[me] = 1;
  exit(0);
}

int main(void) {
  struct shared *s = shm(0x7072, sizeof *s);
  if (s == (void *)-1) {
    printf("preempt: shm failed\n");
    return 1;
  }
  memset((void *)s, 0, sizeof *s);
  printf("preempt: two CPU-bound processes count in shared memory at %p\n", s);
  for (int k = 0; k < 2; k++)
    if (fork() == 0) child(s, k);
  wait(0);
  wait(0);
  int ok = s->seen[0] >= 2 && s->seen[1] >= 2;
  printf("preempt: each saw the other make progress while it ran: %s\n", ok ? "yes" : "no");
  printf("interleaved: %s\n", ok ? "yes" : "no");
  return ok ? 0 : 1;
}
