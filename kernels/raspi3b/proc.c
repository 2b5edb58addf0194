/* Processes, the round-robin scheduler and the system calls. Everything here runs with IRQs
 * masked: in exception handlers, or in the shell between irq_off() and irq_on(). A user process
 * runs at EL0 on its own stack (4 pages under USER_STACK_TOP) and enters the kernel on its own
 * kernel stack, where vectors.S saves its frame; switching processes is returning another
 * process' frame to vectors.S. */
#include "proc.h"
#include "mmu.h"
#include "user/abi.h"

#define USER_STACK_PAGES 4
#define SPSR_EL0T 0 /* EL0, SP_EL0, DAIF clear: interrupts on */
#define CNTKCTL_EL0VCTEN (1UL << 1)

struct proc procs[NPROC];
static uint8_t kstacks[NPROC][KSTACK_SIZE] __attribute__((aligned(16)));
static int current; /* slot running now */
static int next_pid = 1;

static inline void irq_off(void) { __asm__ volatile("msr daifset, #2" ::: "memory"); }
static inline void irq_on(void) { __asm__ volatile("msr daifclr, #2" ::: "memory"); }
/* For code called both from the shell and from a handler. */
static inline uint64_t irq_save(void) {
  uint64_t daif = read_sysreg(daif);
  irq_off();
  return daif;
}
static inline void irq_restore(uint64_t daif) { __asm__ volatile("msr daif, %0" ::"r"(daif) : "memory"); }

static void copy_name(char *d, const char *s) {
  unsigned i = 0;
  for (; s[i] && i < sizeof procs[0].name - 1; i++) d[i] = s[i];
  d[i] = 0;
}

void proc_init(void) {
  procs[0].pid = next_pid++;
  procs[0].state = P_READY;
  copy_name(procs[0].name, "shell");
  procs[0].cwd[0] = '/';
  procs[0].l1 = kernel_l1();
  current = 0;
  /* EL0 may read the virtual counter (user programs time themselves with it). */
  __asm__ volatile("msr cntkctl_el1, %0; isb" ::"r"(CNTKCTL_EL0VCTEN));
}

static struct frame *switch_to(int slot) {
  current = slot;
  set_ttbr0(procs[slot].l1, (unsigned)slot);
  return procs[slot].frame;
}

/* Round robin over the ready processes after the current one; the current one if it is the only
 * one ready; otherwise the shell, which is also the idle loop (it waits with WFI). */
static int pick_next(void) {
  for (int i = 1; i <= NPROC; i++) {
    int slot = (current + i) % NPROC;
    if (procs[slot].state == P_READY) return slot;
  }
  return 0;
}

static struct frame *schedule(struct frame *f) {
  procs[current].frame = f;
  return switch_to(pick_next());
}

static void wake_sleepers(void) {
  for (int i = 1; i < NPROC; i++)
    if (procs[i].state == P_SLEEPING && ticks >= procs[i].wake_tick) procs[i].state = P_READY;
}

struct frame *sched_tick(struct frame *f) {
  int prev = current;
  wake_sleepers();
  struct frame *next = schedule(f);
  if (current != prev && prev != 0) procs[prev].preempted++;
  return next;
}

struct frame *sched_yield(struct frame *f) { return schedule(f); }

/* A process has ended (exit, fault, kill): its memory is freed at once, its slot when the parent
 * has collected the exit code (a zombie until then), or at once for a background process.
 * Its children become background processes. The caller is not running on its tables. */
static void end_process(int slot, int code) {
  struct proc *p = &procs[slot];
  if (p->in_pipe >= 0) pipe_close_end(p->in_pipe, 0);
  if (p->out_pipe >= 0) pipe_close_end(p->out_pipe, 1);
  p->in_pipe = p->out_pipe = p->blocked_pipe = -1;
  uvm_free(p->l1);
  p->l1 = 0;
  p->exit_code = code;
  p->state = p->background ? P_FREE : P_ZOMBIE;
  for (int i = 1; i < NPROC; i++) {
    if (procs[i].state == P_FREE || procs[i].parent != slot) continue;
    if (procs[i].state == P_ZOMBIE) procs[i].state = P_FREE;
    procs[i].background = 1;
    procs[i].parent = 0;
  }
  if (p->state == P_ZOMBIE && procs[p->parent].state == P_WAITING) procs[p->parent].state = P_READY;
}

static struct frame *exit_current(int code) {
  set_ttbr0(kernel_l1(), 0);
  end_process(current, code);
  return switch_to(pick_next()); /* nothing of this process is left to save */
}

static struct frame *kill_current(int code) { return exit_current(code); }

static int slot_of(int pid);
static int spawn(const char *name, int argc, char **argv, int background, int parent);

/* Copies a NUL-terminated string from EL0 (at most n bytes with the NUL); 0 if unreadable or
 * too long. */
int copy_user_string(char *dst, uint64_t va, unsigned n) {
  for (unsigned i = 0; i < n; i++) {
    if (!user_readable(va + i, 1)) return 0;
    dst[i] = *(const char *)(va + i);
    if (!dst[i]) return 1;
  }
  return 0;
}

#define SPAWN_ARGS 8
#define SPAWN_ARG_LEN 32

/* spawn(name, argv): argv NULL-terminated, at most 8 strings of 31 bytes. */
static int64_t sys_spawn(uint64_t name_va, uint64_t argv_va) {
  static char name[16], args[SPAWN_ARGS][SPAWN_ARG_LEN];
  char *argv[SPAWN_ARGS + 1];
  if (!copy_user_string(name, name_va, sizeof name)) return -1;
  int argc = 0;
  for (; argc <= SPAWN_ARGS; argc++) {
    uint64_t arg;
    if (!user_readable(argv_va + 8 * argc, 8) || (argv_va & 7)) return -1;
    arg = *(const uint64_t *)(argv_va + 8 * argc);
    if (!arg) break;
    if (argc == SPAWN_ARGS || !copy_user_string(args[argc], arg, SPAWN_ARG_LEN)) return -1;
    argv[argc] = args[argc];
  }
  argv[argc] = 0;
  return spawn(name, argc, argv, 0, current);
}

/* The caller sleeps until pipe i changes, then re-issues its system call. */
static struct frame *block_on_pipe(struct frame *f, int i) {
  procs[current].state = P_WAITING;
  procs[current].blocked_pipe = i;
  f->elr -= 4;
  return schedule(f);
}

void proc_wake_pipe(int i) {
  for (int s = 1; s < NPROC; s++) {
    if (procs[s].state != P_WAITING || procs[s].blocked_pipe != i) continue;
    procs[s].state = P_READY;
    procs[s].blocked_pipe = -1;
  }
}

/* wait(pid) for a child: while it runs the caller sleeps and its SVC is re-issued when it is
 * woken (ELR_EL1 back by one instruction), so no kernel stack stays blocked. */
static struct frame *sys_wait(struct frame *f, int pid) {
  int slot = slot_of(pid);
  if (slot < 0 || procs[slot].parent != current || procs[slot].background) {
    f->x[0] = (uint64_t)-1;
    return f;
  }
  if (procs[slot].state == P_ZOMBIE) {
    f->x[0] = (uint64_t)(int64_t)procs[slot].exit_code;
    procs[slot].state = P_FREE;
    return f;
  }
  procs[current].state = P_WAITING;
  f->elr -= 4;
  return schedule(f);
}

/* 1 if [va, va + len) is readable (writable) at EL0, checked page by page with AT S1E0R (S1E0W):
 * the translation the process itself would get, permissions included (Arm ARM C5.5, PAR_EL1.F). */
static int user_access(uint64_t va, uint64_t len, int write) {
  if (va + len < va) return 0;
  for (uint64_t page = va & ~(PAGE_SIZE - 1); page < va + len; page += PAGE_SIZE) {
    if (write) __asm__ volatile("at s1e0w, %0; isb" ::"r"(page));
    else __asm__ volatile("at s1e0r, %0; isb" ::"r"(page));
    if (read_sysreg(par_el1) & 1) return 0;
  }
  return 1;
}

int user_readable(uint64_t va, uint64_t len) { return user_access(va, len, 0); }
int user_writable(uint64_t va, uint64_t len) { return user_access(va, len, 1); }

struct frame *syscall(struct frame *f) {
  struct proc *p = &procs[current];
  uint64_t a0 = f->x[0], a1 = f->x[1], a2 = f->x[2];
  switch (f->x[8]) {
  case SYS_WRITE:
    if (a0 != 1 && a0 != 2) {
      f->x[0] = (uint64_t)-1;
      return f;
    }
    if (!user_readable(a1, a2)) {
      printf("kernel: killed pid %d (%s): bad address 0x%lx passed to write()\n", p->pid, p->name, a1);
      return kill_current(-1);
    }
    if (a0 == 1 && p->out_pipe >= 0) {
      int64_t n = pipe_write(p->out_pipe, (const char *)a1, a2);
      return n == PIPE_BLOCK ? block_on_pipe(f, p->out_pipe) : (f->x[0] = (uint64_t)n, f);
    }
    for (uint64_t i = 0; i < a2; i++) uart_putc(((const char *)a1)[i]);
    f->x[0] = a2;
    return f;
  case SYS_EXIT: return exit_current((int)a0);
  case SYS_GETPID: f->x[0] = (uint64_t)p->pid; return f;
  case SYS_YIELD: f->x[0] = 0; return schedule(f);
  case SYS_SLEEP:
    f->x[0] = 0;
    p->wake_tick = ticks + (a0 * TICK_HZ + 999) / 1000 + 1; /* +1: the current tick is partly over */
    p->state = P_SLEEPING;
    return schedule(f);
  case SYS_PREEMPTED: f->x[0] = p->preempted; return f;
  case SYS_SPAWN: f->x[0] = (uint64_t)sys_spawn(a0, a1); return f;
  case SYS_WAIT: return sys_wait(f, (int)a0);
  case SYS_OPEN: f->x[0] = (uint64_t)sys_open(p, a0); return f;
  case SYS_CLOSE: f->x[0] = (uint64_t)sys_close(p, (int64_t)a0); return f;
  case SYS_READ: {
    int64_t n;
    if (a0 == 0) { /* a pipe, or the console, whose input belongs to the shell: end of file */
      if (p->in_pipe < 0) n = 0;
      else if (!user_writable(a1, a2)) n = READ_BAD_BUFFER;
      else if ((n = pipe_read(p->in_pipe, (char *)a1, a2)) == PIPE_BLOCK) return block_on_pipe(f, p->in_pipe);
    } else {
      n = sys_read(p, (int64_t)a0, a1, a2);
    }
    if (n == READ_BAD_BUFFER) {
      printf("kernel: killed pid %d (%s): bad address 0x%lx passed to read()\n", p->pid, p->name, a1);
      return kill_current(-1);
    }
    f->x[0] = (uint64_t)n;
    return f;
  }
  }
  printf("kernel: killed pid %d (%s): unknown system call %lu\n", p->pid, p->name, f->x[8]);
  return kill_current(-1);
}

static const char *fault_name(unsigned ec) {
  switch (ec) {
  case 0x00: return "undefined instruction";
  case 0x01: return "trapped WFI/WFE";
  case 0x18: return "trapped system register access";
  case 0x20: return "instruction abort";
  case 0x22: return "PC alignment fault";
  case 0x24: return "data abort";
  case 0x26: return "SP alignment fault";
  case 0x3c: return "breakpoint";
  }
  return "exception";
}

struct frame *user_fault(struct frame *f, uint64_t esr) {
  struct proc *p = &procs[current];
  unsigned ec = (unsigned)(esr >> 26) & 0x3f;
  printf("kernel: killed pid %d (%s): %s, ESR_EL1=0x%08lx ELR_EL1=0x%016lx", p->pid, p->name, fault_name(ec), esr,
         f->elr);
  if (ec == 0x20 || ec == 0x22 || ec == 0x24 || ec == 0x26) printf(" FAR_EL1=0x%016lx", read_sysreg(far_el1));
  printf("\n");
  return kill_current(-1);
}

/* Shell side. */

int proc_spawn(const char *name, int argc, char **argv, int background) {
  return spawn(name, argc, argv, background, 0);
}

/* A shell pipeline's process: fd 0 from in_pipe, fd 1 to out_pipe (-1: the console). */
int proc_spawn_piped(const char *name, int argc, char **argv, int in_pipe, int out_pipe) {
  int pid = spawn(name, argc, argv, 0, 0);
  if (pid < 0) return pid;
  struct proc *p = &procs[slot_of(pid)];
  p->in_pipe = in_pipe;
  p->out_pipe = out_pipe;
  if (in_pipe >= 0) pipe_open_end(in_pipe, 0);
  if (out_pipe >= 0) pipe_open_end(out_pipe, 1);
  return pid;
}

uint64_t proc_lock(void) { return irq_save(); }
void proc_unlock(uint64_t saved) { irq_restore(saved); }

/* A new process running program name; its pid, -1 if there is no such program, -2 if the
 * process table is full. */
static int spawn(const char *name, int argc, char **argv, int background, int parent) {
  uint64_t entry, daif = irq_save();
  int slot = 1;
  while (slot < NPROC && procs[slot].state != P_FREE) slot++;
  uint64_t *l1 = slot < NPROC ? exec_load(name, &entry) : 0;
  if (!l1) {
    irq_restore(daif);
    return slot < NPROC ? -1 : -2;
  }
  /* The stack: USER_STACK_PAGES read-write pages; argv strings and pointers at its top. */
  char *top = 0;
  for (unsigned i = 0; i < USER_STACK_PAGES; i++) {
    char *page = page_alloc();
    uint64_t va = USER_STACK_TOP - (i + 1) * PAGE_SIZE;
    if (page) uvm_map_page(l1, va, page, ATTR_NORMAL | SH_INNER | AP_RW | DESC_PXN | DESC_UXN);
    if (i == 0) top = page + PAGE_SIZE;
  }
  uint64_t sp = USER_STACK_TOP, argv_va[8];
  for (int i = argc - 1; i >= 0; i--) {
    unsigned n = 0;
    while (argv[i][n]) n++;
    sp -= n + 1;
    char *kp = top - (USER_STACK_TOP - sp);
    for (unsigned k = 0; k <= n; k++) kp[k] = argv[i][k];
    argv_va[i] = sp;
  }
  sp = (sp - 8 * ((uint64_t)argc + 1)) & ~15UL; /* argv[], NULL-terminated; SP 16-byte aligned */
  uint64_t *kargv = (uint64_t *)(top - (USER_STACK_TOP - sp));
  for (int i = 0; i < argc; i++) kargv[i] = argv_va[i];
  kargv[argc] = 0;

  struct proc *p = &procs[slot];
  p->pid = next_pid++;
  copy_name(p->name, name);
  p->l1 = l1;
  p->preempted = 0;
  p->exit_code = 0;
  p->background = background;
  p->parent = parent;
  for (unsigned i = 0; i < NFILE; i++) p->files[i].used = 0;
  p->in_pipe = p->out_pipe = p->blocked_pipe = -1;
  for (unsigned i = 0; i < PATH_MAX; i++) p->cwd[i] = procs[parent].cwd[i];
  /* The ASID may have been used by an earlier process in this slot. */
  __asm__ volatile("dsb ishst; tlbi aside1, %0; dsb ish; isb" ::"r"((uint64_t)slot << 48));
  struct frame *fr = (struct frame *)(kstacks[slot] + KSTACK_SIZE) - 1;
  for (unsigned i = 0; i < 31; i++) fr->x[i] = 0;
  fr->x[0] = (uint64_t)argc;
  fr->x[1] = sp;
  fr->elr = entry;
  fr->spsr = SPSR_EL0T;
  fr->sp_el0 = sp;
  p->frame = fr;
  p->state = P_READY;
  irq_restore(daif);
  return p->pid;
}

static int slot_of(int pid) {
  for (int i = 1; i < NPROC; i++)
    if (procs[i].state != P_FREE && procs[i].pid == pid) return i;
  return -1;
}

/* The shell sleeps until cond(arg) holds: P_WAITING, so the processes get the CPU, and WFI when
 * none is ready. The events (a child's exit, console input) make it ready again. WFI runs with
 * IRQs masked: a pending interrupt still wakes it, and is taken once they are unmasked, so an
 * event between the check and the WFI is not missed. */
void shell_wait(int (*cond)(void *), void *arg) {
  for (;;) {
    irq_off();
    if (cond(arg)) break;
    procs[0].state = P_WAITING;
    __asm__ volatile("svc #0" ::: "memory"); /* yield (SVC from EL1: exceptions.c) */
    if (cond(arg)) break;
    __asm__ volatile("wfi");
    irq_on();
  }
  procs[0].state = P_READY;
  irq_on();
}

void proc_wake_shell(void) {
  if (procs[0].state == P_WAITING) procs[0].state = P_READY;
}

static int is_zombie(void *slot) { return procs[(intptr_t)slot].state == P_ZOMBIE; }

/* Waits for the child to end, then frees its slot; its exit code. */
int proc_wait(int pid) {
  int slot = slot_of(pid);
  if (slot < 0) return -1;
  shell_wait(is_zombie, (void *)(intptr_t)slot);
  irq_off();
  int code = procs[slot].exit_code;
  procs[slot].state = P_FREE;
  irq_on();
  return code;
}

int proc_kill(int pid) {
  irq_off();
  int slot = slot_of(pid);
  if (slot < 0 || procs[slot].state == P_ZOMBIE) {
    irq_on();
    return -1;
  }
  printf("kernel: killed pid %d (%s): kill from the shell\n", pid, procs[slot].name);
  end_process(slot, -1); /* the shell runs on the kernel's tables, not this one */
  irq_on();
  return 0;
}

void proc_list(void) {
  static const char *const names[] = {"free", "ready", "sleep", "wait", "zombie"};
  irq_off();
  printf("  PID STATE  NAME\n");
  for (int i = 0; i < NPROC; i++) {
    if (procs[i].state == P_FREE) continue;
    int width = 7;
    const char *state = i == current ? "run" : names[procs[i].state];
    printf("%5d %s", procs[i].pid, state);
    for (unsigned n = 0; state[n]; n++) width--;
    while (width-- > 0) uart_putc(' ');
    printf("%s\n", procs[i].name);
  }
  irq_on();
}
