/* Pipes between the processes of a shell pipeline (a | b | c): a 512-byte ring each, counted
 * reader and writer ends (a process' fd 0 / fd 1). A write with no room left, or a read of an
 * empty pipe that still has writers, blocks the process: the system call is re-issued when the
 * pipe changes (proc.c). Like the virt OS: a write without readers fails (-1), a read without
 * writers returns 0 (end of file). */
#include "proc.h"

#define NPIPE 4
#define PIPE_SIZE 512

struct pipe {
  int used;
  unsigned readers, writers;
  unsigned head, tail; /* written / read so far */
  char buf[PIPE_SIZE];
};

static struct pipe pipes[NPIPE];

int pipe_alloc(void) {
  for (int i = 0; i < NPIPE; i++) {
    if (pipes[i].used) continue;
    pipes[i].used = 1;
    pipes[i].readers = pipes[i].writers = 0;
    pipes[i].head = pipes[i].tail = 0;
    return i;
  }
  return -1;
}

void pipe_open_end(int i, int writer) {
  if (writer) pipes[i].writers++;
  else pipes[i].readers++;
}

/* Closing the last end frees the pipe (the shell opens every end before any process runs). */
void pipe_close_end(int i, int writer) {
  struct pipe *p = &pipes[i];
  if (writer) p->writers--;
  else p->readers--;
  if (!p->readers && !p->writers) p->used = 0;
  proc_wake_pipe(i);
}

/* The count written (at least 1), PIPE_BLOCK when full, -1 without readers. */
int64_t pipe_write(int i, const char *src, uint64_t len) {
  struct pipe *p = &pipes[i];
  if (!p->readers) return -1;
  if (!len) return 0;
  if (p->head - p->tail == PIPE_SIZE) return PIPE_BLOCK;
  uint64_t n = 0;
  while (n < len && p->head - p->tail < PIPE_SIZE) p->buf[p->head++ % PIPE_SIZE] = src[n++];
  proc_wake_pipe(i);
  return (int64_t)n;
}

/* The count read, 0 at the end (empty, no writers), PIPE_BLOCK when empty with writers. */
int64_t pipe_read(int i, char *dst, uint64_t len) {
  struct pipe *p = &pipes[i];
  if (p->head == p->tail) return p->writers ? PIPE_BLOCK : 0;
  uint64_t n = 0;
  while (n < len && p->tail != p->head) dst[n++] = p->buf[p->tail++ % PIPE_SIZE];
  proc_wake_pipe(i);
  return (int64_t)n;
}
