/*
 * Traps: system calls, copy-on-write faults, faults that kill a process, the timer tick
 * (preemption, sleep wake-ups) and device interrupts through the PLIC.
 */
#include "kernel.h"

volatile u64 ticks;
u32 tick_interval;        /* timebase ticks per scheduler tick (10 ms) */
static u64 next_tick;
static int timer_armed;

static const char *const exc_names[] = {
    "instruction address misaligned", "instruction access fault", "illegal instruction",
    "breakpoint", "load address misaligned", "load access fault",
    "store/AMO address misaligned", "store/AMO access fault", "environment call from U-mode",
    "environment call from S-mode", "reserved (10)", "reserved (11)",
    "instruction page fault", "load page fault", "reserved (14)", "store/AMO page fault",
};

const char *exception_name(u32 cause) {
  return cause < sizeof exc_names / sizeof exc_names[0] ? exc_names[cause] : "unknown exception";
}

u64 now_ms(void) { return rdtime() / (machine.timebase / 1000); }

void trap_init(void) {
  tick_interval = machine.timebase / 100;
  csr_write(sie, SIE_STIE | SIE_SEIE);
}

static int anyone_waiting_for_time(void) {
  for (int i = 0; i < NPROC; i++) {
    enum procstate s = procs[i].state;
    if (s == RUNNABLE || s == RUNNING || (s == SLEEPING && procs[i].wake_at)) return 1;
  }
  return 0;
}

/* Arms the tick when something needs it (a process runs or sleeps with a deadline). An idle
 * system with nothing timed lets the timer stop, so the hart sleeps until a device interrupt. */
void timer_ensure(void) {
  if (timer_armed || !anyone_waiting_for_time()) return;
  next_tick = rdtime() + tick_interval;
  sbi_set_timer(next_tick);
  timer_armed = 1;
}

static void timer_interrupt(void) {
  ticks++;
  struct proc *p = myproc();
  if (p) p->ticks++;
  u64 now = rdtime();
  wake_sleepers(now);
  need_resched = 1;
  if (anyone_waiting_for_time()) {
    next_tick += tick_interval;
    if (next_tick <= now) next_tick = now + tick_interval;
    sbi_set_timer(next_tick);
  } else {
    sbi_set_timer(~0ull); /* also clears the pending timer interrupt */
    timer_armed = 0;
  }
}

static void external_interrupt(void) {
  u32 irq;
  while ((irq = plic_claim()) != 0) {
    if (irq == machine.uart_irq) uart_intr();
    else if (irq == virtio_blk_irq) virtio_blk_intr();
    else kprintf("kernel: unexpected interrupt %u\n", irq);
    plic_complete(irq);
  }
}

static void kernel_fault(struct trapframe *tf) {
  panic("%s in the kernel\n  scause=0x%08x stval=0x%08x sepc=0x%08x ra=0x%08x sp=0x%08x",
        exception_name(tf->scause), tf->scause, tf->stval, tf->sepc, tf->regs[TF_RA], tf->regs[TF_SP]);
}

void trap_handler(struct trapframe *tf) {
  u32 cause = tf->scause;
  int from_user = !(tf->sstatus & SSTATUS_SPP);
  struct proc *p = myproc();

  if (cause & SCAUSE_INTR) {
    switch (cause & ~SCAUSE_INTR) {
    case IRQ_S_TIMER: timer_interrupt(); break;
    case IRQ_S_EXT: external_interrupt(); break;
    default: panic("unexpected interrupt scause=0x%08x sepc=0x%08x", cause, tf->sepc);
    }
    if (!from_user) return;
  } else if (!from_user) {
    kernel_fault(tf);
  } else if (cause == EXC_ECALL_U) {
    tf->sepc += 4;
    syscall(tf);
  } else if (cause == EXC_STORE_PAGE && cow_fault(p->pagetable, tf->stval) == 0) {
    /* copy-on-write page copied */
  } else if (cause == EXC_ILLEGAL) {
    kill_proc(p, "%s at sepc=0x%08x (instruction 0x%08x)", exception_name(cause), tf->sepc, tf->stval);
  } else {
    kill_proc(p, "%s at sepc=0x%08x stval=0x%08x", exception_name(cause), tf->sepc, tf->stval);
  }
  user_return();
}

/* Back to U-mode for the current process: die if killed, let others run if the tick said so. */
void user_return(void) {
  struct proc *p = myproc();
  if (p->killed) exit_proc(-1);
  if (need_resched) {
    need_resched = 0;
    yield();
    if (p->killed) exit_proc(-1);
  }
  trap_return(p->tf);
}
