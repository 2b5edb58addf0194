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

static void copy_name(char *d, const char *s) {
  unsigned i = 0;
  for (; s[i] && i < sizeof procs[0].name - 1; i++) d[i] = s[i];
  d[i] = 0;
}

void proc_init(void) {
  procs[0].pid = next_pid++;
  procs[0].state = P_READY;
  copy_name(procs[0].name, "shell");
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

/* Ends the current process: its memory is freed at once (after leaving its address space), its
 * slot when the shell has collected the exit code, or at once for a background process. */
static struct frame *exit_current(int code) {
  struct proc *p = &procs[current];
  set_ttbr0(kernel_l1(), 0);
  uvm_free(p->l1);
  p->l1 = 0;
  p->exit_code = code;
  p->state = p->background ? P_FREE : P_ZOMBIE;
  proc_wake_shell();
  return switch_to(pick_next()); /* nothing of this process is left to save */
}

static struct frame *kill_current(int code) { return exit_current(code); }

/* 1 if [va, va + len) is readable at EL0, checked page by page with AT S1E0R (the translation
 * the process itself would get, permissions included: Arm ARM C5.5, PAR_EL1.F). */
static int user_readable(uint64_t va, uint64_t len) {
  if (va + len < va) return 0;
  for (uint64_t page = va & ~(PAGE_SIZE - 1); page < va + len; page += PAGE_SIZE) {
    __asm__ volatile("at s1e0r, %0; isb" ::"r"(page));
    if (read_sysreg(par_el1) & 1) return 0;
  }
  return 1;
}

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
  }
  printf("kernel: killed pid %d (%s): unknown system call %lu\n", p->pid, p->name, f->x[8]);
  return kill_current(-1);
}

static const char *fault_name(unsigned ec) {
  switch (ec) {
  case 0x00: return "undefined instruction";
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
  uint64_t entry;
  irq_off();
  int slot = 1;
  while (slot < NPROC && procs[slot].state != P_FREE) slot++;
  uint64_t *l1 = slot < NPROC ? exec_load(name, &entry) : 0;
  if (!l1) {
    irq_on();
    return slot < NPROC ? -1 : -2;
  }
  /* The stack: USER_STACK_PAGES read-write pages; argv strings and pointers at its top. */
  char *top = 0;
  for (unsigned i = 0; i < USER_STACK_PAGES; i++) {
    char *page = page_alloc();
    uint64_t va = USER_STACK_TOP - (i + 1) * PAGE_SIZE;
    if (page) uvm_map_page(l1, va, (uintptr_t)page, ATTR_NORMAL | SH_INNER | AP_RW | DESC_PXN | DESC_UXN);
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
  irq_on();
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
  uvm_free(procs[slot].l1); /* the shell runs on the kernel's tables, not this one */
  procs[slot].l1 = 0;
  procs[slot].exit_code = -1;
  procs[slot].state = procs[slot].background ? P_FREE : P_ZOMBIE;
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
