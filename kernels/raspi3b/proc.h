/* Processes: slot 0 is the shell, a kernel thread at EL1 (pid 1, the kernel's address space);
 * slots 1-7 run user programs at EL0, each in its own address space (TTBR0 with ASID = slot). */
#ifndef PROC_H
#define PROC_H

#include "rpi.h"

#define NPROC 8
#define KSTACK_SIZE 8192

enum pstate { P_FREE, P_READY, P_SLEEPING, P_WAITING, P_ZOMBIE };

#define NFILE 4

struct open_file {
  int used;
  uint32_t inum, off;
};

struct proc {
  int pid;
  enum pstate state;
  char name[16];
  struct frame *frame; /* saved registers while it is not running */
  uint64_t *l1;        /* translation table for TTBR0 */
  uint64_t wake_tick;  /* P_SLEEPING: until ticks reaches this */
  unsigned preempted;  /* times the timer switched away from it */
  int exit_code;
  int background;      /* nobody waits for it: freed when it ends */
  int parent;          /* slot of the process that waits for it (0: the shell) */
  struct open_file files[NFILE]; /* descriptors 3.. (0-2 are the console) */
  int in_pipe, out_pipe;          /* fd 0 / fd 1 from/to a pipe, or -1 (console) */
  int blocked_pipe;               /* P_WAITING on this pipe, or -1 */
  char cwd[PATH_MAX];             /* the working folder, canonical ("/", "/docs") */
};

extern struct proc procs[NPROC];

void proc_init(void);
/* Shell side (IRQs unmasked; these mask them as needed). */
int proc_spawn(const char *name, int argc, char **argv, int background); /* pid, or -1 */
int proc_spawn_piped(const char *name, int argc, char **argv, int in_pipe, int out_pipe);
uint64_t proc_lock(void); /* masks IRQs: nothing runs until proc_unlock */
void proc_unlock(uint64_t saved);
int proc_wait(int pid);                                                  /* exit code */
int proc_kill(int pid);
void shell_wait(int (*cond)(void *), void *arg);
void proc_wake_shell(void); /* from interrupt handlers */
void proc_list(void);
/* Exception side (exceptions.c): each returns the frame to resume. */
struct frame *sched_tick(struct frame *f);
struct frame *sched_yield(struct frame *f);
struct frame *syscall(struct frame *f);
struct frame *user_fault(struct frame *f, uint64_t esr);
/* Checks and copies of user memory (proc.c), for system calls. */
int user_readable(uint64_t va, uint64_t len);
int user_writable(uint64_t va, uint64_t len);
int copy_user_string(char *dst, uint64_t va, unsigned n);
/* sysfile.c: open/read/close of rvfs files, read-only */
#define READ_BAD_BUFFER (-1000)
int64_t sys_open(struct proc *p, uint64_t path_va);
int64_t sys_read(struct proc *p, int64_t fd, uint64_t buf_va, uint64_t len);
int64_t sys_close(struct proc *p, int64_t fd);
/* pipe.c */
#define PIPE_BLOCK (-1000)
int pipe_alloc(void); /* -1 if none is free */
void pipe_open_end(int i, int writer);
void pipe_close_end(int i, int writer);
int64_t pipe_write(int i, const char *src, uint64_t len);
int64_t pipe_read(int i, char *dst, uint64_t len);
void proc_wake_pipe(int i);
/* exec.c: loads an embedded program into a fresh address space; 0 if it is not found. */
uint64_t *exec_load(const char *name, uint64_t *entry);

#endif
