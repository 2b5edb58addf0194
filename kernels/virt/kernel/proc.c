/*
 * Processes: a static table, a kernel stack per slot (its top holds the trap frame), round-robin
 * scheduling from a scheduler loop on the boot stack, sleep/wakeup on channels. The kernel is not
 * preemptible: it runs with interrupts off except in the idle loop, and a process gives up the
 * hart when it sleeps, or when a timer tick asks for a reschedule on its way back to U-mode.
 */
#include "kernel.h"
#include "abi.h"

struct proc procs[NPROC];
static u8 kstacks[NPROC][KSTACK_SIZE] __attribute__((aligned(16)));
static struct proc *current;
static struct context sched_ctx;
static struct proc *initproc;
static int nextpid = 1;
volatile int need_resched;

struct proc *myproc(void) { return current; }

void swtch(struct context *old, struct context *new);
void timer_ensure(void);

static void forkret(void);

static struct proc *allocproc(void) {
  for (int i = 0; i < NPROC; i++) {
    struct proc *p = &procs[i];
    if (p->state != UNUSED) continue;
    memset(p, 0, sizeof *p);
    p->pagetable = uvm_create();
    if (!p->pagetable) return 0;
    p->state = EMBRYO;
    p->pid = nextpid++;
    p->kstack = kstacks[i];
    p->tf = (struct trapframe *)(p->kstack + KSTACK_SIZE - sizeof(struct trapframe));
    memset(p->tf, 0, sizeof *p->tf);
    p->tf->sstatus = SSTATUS_SPIE; /* return to U-mode with interrupts enabled */
    p->ctx.ra = (u32)forkret;
    p->ctx.sp = (u32)p->tf;
    return p;
  }
  return 0;
}

static void freeproc(struct proc *p) {
  if (p->pagetable) uvm_free(p->pagetable);
  p->pagetable = 0;
  p->state = UNUSED;
}

/* The first process: its first run execs /bin/init (exec may sleep on the disk, so it runs in
 * process context). */
void user_init(void) {
  struct proc *p = allocproc();
  if (!p) panic("user_init: no process");
  safestrcpy(p->name, "init", sizeof p->name);
  p->cwd = iget(sb.root_inode);
  struct file *f = file_alloc();
  if (!f) panic("user_init: no file");
  f->type = FD_CONSOLE;
  f->readable = f->writable = 1;
  p->ofile[0] = f;
  p->ofile[1] = file_dup(f);
  p->ofile[2] = file_dup(f);
  initproc = p;
  p->state = RUNNABLE;
}

static void forkret(void) {
  static int first = 1;
  if (first) {
    first = 0;
    char *argv[] = {"init", 0};
    if (exec("/bin/init", argv) < 0) panic("cannot run /bin/init");
  }
  user_return();
}

/* The scheduler loop: runs each runnable process in turn; waits for an interrupt when none is. */
void scheduler(void) {
  int last = NPROC - 1;
  for (;;) {
    struct proc *p = 0;
    for (int k = 1; k <= NPROC; k++) {
      struct proc *q = &procs[(last + k) % NPROC];
      if (q->state == RUNNABLE) {
        p = q;
        last = q - procs;
        break;
      }
    }
    if (!p) {
      /* Idle: wfi with interrupts masked (it still wakes on a pending one), then take it. */
      timer_ensure();
      wfi();
      intr_on();
      intr_off();
      continue;
    }
    p->state = RUNNING;
    current = p;
    need_resched = 0;
    timer_ensure();
    switch_pagetable(p->pagetable);
    swtch(&sched_ctx, &p->ctx);
    current = 0;
  }
}

void sched(void) {
  struct proc *p = current;
  if (p->state == RUNNING) panic("sched: running");
  swtch(&p->ctx, &sched_ctx);
}

void yield(void) {
  current->state = RUNNABLE;
  sched();
}

void sleep_on(const void *chan) {
  struct proc *p = current;
  p->chan = chan;
  p->state = SLEEPING;
  sched();
  p->chan = 0;
}

void wakeup(const void *chan) {
  for (int i = 0; i < NPROC; i++) {
    struct proc *p = &procs[i];
    if (p->state == SLEEPING && p->chan == chan) p->state = RUNNABLE;
  }
}

/* Wakes processes whose sleep() time has come; returns whether any sleeper is left. */
void wake_sleepers(u64 now) {
  for (int i = 0; i < NPROC; i++) {
    struct proc *p = &procs[i];
    if (p->state == SLEEPING && p->wake_at && p->wake_at <= now) {
      p->wake_at = 0;
      p->state = RUNNABLE;
    }
  }
}

int fork(void) {
  struct proc *p = current, *np = allocproc();
  if (!np) return -1;
  if (uvm_cow_copy(p->pagetable, np->pagetable) < 0) {
    freeproc(np);
    return -1;
  }
  *np->tf = *p->tf;
  np->tf->regs[TF_A0] = 0;
  np->brk = p->brk;
  np->heap_base = p->heap_base;
  np->shm_mask = p->shm_mask;
  for (int i = 0; i < NOFILE; i++)
    if (p->ofile[i]) np->ofile[i] = file_dup(p->ofile[i]);
  np->cwd = idup(p->cwd);
  safestrcpy(np->name, p->name, sizeof np->name);
  np->parent = p;
  np->state = RUNNABLE;
  return np->pid;
}

void exit_proc(int status) {
  struct proc *p = current;
  if (p == initproc) panic("init exited (status %d)", status);
  for (int i = 0; i < NOFILE; i++) {
    if (p->ofile[i]) file_close(p->ofile[i]);
    p->ofile[i] = 0;
  }
  fs_lock();
  iput(p->cwd);
  fs_unlock();
  p->cwd = 0;
  /* Leave the process' address space before freeing it. */
  switch_pagetable(kernel_pagetable);
  uvm_free(p->pagetable);
  p->pagetable = 0;
  for (int i = 0; i < NPROC; i++) {
    if (procs[i].parent != p) continue;
    procs[i].parent = initproc;
    if (procs[i].state == ZOMBIE) wakeup(initproc);
  }
  p->xstatus = status;
  p->state = ZOMBIE;
  wakeup(p->parent);
  sched();
  panic("zombie exit");
}

int wait(u32 status_va) {
  struct proc *p = current;
  for (;;) {
    int children = 0;
    for (int i = 0; i < NPROC; i++) {
      struct proc *c = &procs[i];
      if (c->parent != p || c->state == UNUSED) continue;
      children = 1;
      if (c->state != ZOMBIE) continue;
      int pid = c->pid;
      if (status_va && copyout(p->pagetable, status_va, &c->xstatus, sizeof c->xstatus) < 0) {
        kill_proc(p, "bad address 0x%08x passed to wait()", status_va);
        return -1;
      }
      c->parent = 0;
      freeproc(c);
      return pid;
    }
    if (!children || p->killed) return -1;
    sleep_on(p);
  }
}

/* Marks p to die on its way back to U-mode, with a console message saying why. */
void kill_proc(struct proc *p, const char *fmt, ...) {
  char buf[160];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  kprintf("kernel: killed pid %d (%s): %s\n", p->pid, p->name, buf);
  p->killed = 1;
  if (p->state == SLEEPING) p->state = RUNNABLE;
}

/* For ps: fills up to n entries. */
int proc_list(struct procinfo *out, int n) {
  int k = 0;
  for (int i = 0; i < NPROC && k < n; i++) {
    struct proc *p = &procs[i];
    if (p->state == UNUSED) continue;
    struct procinfo *o = &out[k++];
    memset(o, 0, sizeof *o);
    o->pid = p->pid;
    o->ppid = p->parent ? p->parent->pid : 0;
    o->state = p->state;
    safestrcpy(o->name, p->name, sizeof o->name);
    u32 pages = 0;
    for (int a = 0; p->pagetable && a < 512; a++) {
      if (!(p->pagetable[a] & PTE_V)) continue;
      pagetable_t l0 = (pagetable_t)PTE2PA(p->pagetable[a]);
      for (int b = 0; b < 1024; b++) pages += (l0[b] & PTE_V) != 0;
    }
    o->mem = pages * PGSIZE;
  }
  return k;
}
