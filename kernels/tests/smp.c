/* smp: four harts (QEMU -smp 4). Every hart starts at 0x80000000 with a0 = its hart id; they check
 * in with an atomic counter, take turns in hart-id order through a ticket lock (AMOs) to print,
 * increment shared counters under an LR/SC spinlock, with amoadd.w and with an LR/SC loop; harts 1
 * and 2 show that reservations are per hart; each hart receives a CLINT software interrupt from hart
 * 0 one after the other, takes its own timer interrupt (mtimecmp per hart) and the UART interrupt
 * through its own PLIC M-mode context, and reports its mhartid; hart 0 checks the results and
 * powers off.
 *
 * The transcript does not depend on the interleaving: between barriers only hart 0 prints, and
 * otherwise harts print in hart-id order (a turn, or an explicit hand-shake with hart 0). */
#define SMP_HARTS 4
#include "rvos.h"
#include "smp.h"

#define N SMP_HARTS
#define ITERS 10000
#define PERIOD (TIMEBASE_HZ / 1000)         /* 1 ms */
#define TIMEOUT (5ull * TIMEBASE_HZ)        /* a safety net against hangs, never reached normally */
#define MTIMECMP(h) (CLINT_MTIMECMP + 8u * (h))
#define MSIP(h) (CLINT_MSIP + 4u * (h))
#define MCTX(h) (2u * (h)) /* PLIC context of hart h's M mode (QEMU virt: M, S per hart) */
#define UART_IER (UART0_BASE + 1)
#define IER_THRI 0x02

extern char __stack_top[];

/* ---- Atomics ------------------------------------------------------------------------------ */
static inline u32 amoadd(volatile u32 *p, u32 v) {
  u32 old;
  __asm__ volatile("amoadd.w %0, %2, (%1)" : "=r"(old) : "r"(p), "r"(v) : "memory");
  return old;
}
static inline u32 amoadd_aq(volatile u32 *p, u32 v) {
  u32 old;
  __asm__ volatile("amoadd.w.aq %0, %2, (%1)" : "=r"(old) : "r"(p), "r"(v) : "memory");
  return old;
}
static inline void amoadd_rl(volatile u32 *p, u32 v) {
  __asm__ volatile("amoadd.w.rl zero, %1, (%0)" ::"r"(p), "r"(v) : "memory");
}
static inline void amoor(volatile u32 *p, u32 v) {
  __asm__ volatile("amoor.w zero, %1, (%0)" ::"r"(p), "r"(v) : "memory");
}
/* Lock-free add with an LR/SC retry loop; returns the old value. */
static inline u32 lrsc_add(volatile u32 *p, u32 v) {
  u32 old, tmp;
  __asm__ volatile("1: lr.w %0, (%2)\n"
                   "   add %1, %0, %3\n"
                   "   sc.w %1, %1, (%2)\n"
                   "   bnez %1, 1b\n"
                   : "=&r"(old), "=&r"(tmp)
                   : "r"(p), "r"(v)
                   : "memory");
  return old;
}

static inline u32 lr(volatile u32 *p) {
  u32 v;
  __asm__ volatile("lr.w %0, (%1)" : "=r"(v) : "r"(p) : "memory");
  return v;
}
static inline u32 sc(volatile u32 *p, u32 v) {
  u32 r;
  __asm__ volatile("sc.w %0, %2, (%1)" : "=&r"(r) : "r"(p), "r"(v) : "memory");
  return r;
}

/* Test-and-set spinlock from LR/SC: 0 = free, 1 = held. */
static inline void spin_lock(volatile u32 *l) {
  u32 tmp;
  __asm__ volatile("1: lr.w.aq %0, (%1)\n"
                   "   bnez %0, 1b\n"
                   "   sc.w %0, %2, (%1)\n"
                   "   bnez %0, 1b\n"
                   : "=&r"(tmp)
                   : "r"(l), "r"(1)
                   : "memory");
}
static inline void spin_unlock(volatile u32 *l) {
  __asm__ volatile("amoswap.w.rl zero, zero, (%0)" ::"r"(l) : "memory");
}

/* ---- Waiting ------------------------------------------------------------------------------ */
static __attribute__((noinline, noreturn)) void timeout(u32 hart, const char *what) {
  printf("hart %u: timeout waiting for %s\n", hart, what);
  exit(98);
}

/* Spins until cond; checks mtime (MMIO) only now and then. */
#define WAIT_UNTIL(hart, cond, what)                                                               \
  do {                                                                                             \
    u64 limit_ = read_mtime() + TIMEOUT;                                                           \
    for (u32 i_ = 1; !(cond); i_++)                                                                \
      if ((i_ & 1023) == 0 && read_mtime() > limit_) timeout(hart, what);                          \
  } while (0)

/* Waits for an interrupt to set *flag: WFI with MIE = 0 (no lost wake-up), then MIE = 1 to take
 * whatever is pending. */
static void wait_irq(u32 hart, volatile u32 *flag, const char *what) {
  u64 limit = read_mtime() + TIMEOUT;
  csr_clear(mstatus, MSTATUS_MIE);
  while (!*flag) {
    __asm__ volatile("wfi");
    csr_set(mstatus, MSTATUS_MIE);
    csr_clear(mstatus, MSTATUS_MIE);
    if (!*flag && read_mtime() > limit) timeout(hart, what);
  }
  csr_set(mstatus, MSTATUS_MIE);
}

/* Barrier: every hart arrives, nobody leaves before all have arrived. `gen` is per hart. */
static volatile u32 barrier_count;
static void barrier(u32 hart, u32 *gen, const char *what) {
  u32 target = ++*gen * N;
  __asm__ volatile("fence rw, rw" ::: "memory");
  amoadd(&barrier_count, 1);
  WAIT_UNTIL(hart, barrier_count >= target, what);
  __asm__ volatile("fence rw, rw" ::: "memory");
}

/* ---- Turns: a ticket lock taken in hart-id order ------------------------------------------ */
/* Hart h takes its ticket (amoadd.w.aq on `next`) once hart h-1 has taken its own, then waits
 * until `serving` reaches it; releasing is amoadd.w.rl on `serving`. `inside` counts holders. */
static volatile u32 turn_next, turn_serving, turn_inside;
static volatile u32 turn_bad_ticket, turn_overlap;

static void turn_begin(u32 hart, u32 round) {
  u32 want = round * N + hart;
  WAIT_UNTIL(hart, turn_next == want, "its ticket");
  u32 t = amoadd_aq(&turn_next, 1);
  if (t != want) amoadd(&turn_bad_ticket, 1);
  WAIT_UNTIL(hart, turn_serving == t, "its turn");
  if (amoadd(&turn_inside, 1) != 0) amoadd(&turn_overlap, 1);
}

static void turn_end(void) {
  amoadd(&turn_inside, -1u);
  amoadd_rl(&turn_serving, 1);
}

/* ---- Interrupts --------------------------------------------------------------------------- */
static volatile u32 msi_count[N], msi_mip_before[N], msi_mip_after[N];
static volatile u32 mti_count[N], mti_early[N];
static volatile u64 mti_deadline[N];
static volatile u32 mei_count[N], mei_claim[N];
static volatile u32 other_irq;

static void set_my_mtimecmp(u32 h, u64 t) {
  mmio_write32(MTIMECMP(h) + 4, 0xffffffff);
  mmio_write32(MTIMECMP(h), (u32)t);
  mmio_write32(MTIMECMP(h) + 4, (u32)(t >> 32));
}

static int m_hook(struct trap_frame *f) {
  if (!(f->cause & CAUSE_INTR)) return 0;
  u32 h = csr_read(mhartid);
  u32 irq = f->cause & ~CAUSE_INTR;
  if (h >= N) return 0;
  if (irq == 3) {
    msi_mip_before[h] = csr_read(mip);
    mmio_write32(MSIP(h), 0);
    msi_mip_after[h] = csr_read(mip);
    msi_count[h]++;
    return 1;
  }
  if (irq == 7) {
    if (read_mtime() < mti_deadline[h]) mti_early[h] = 1;
    set_my_mtimecmp(h, ~0ull);
    mti_count[h]++;
    return 1;
  }
  if (irq == 11) {
    u32 id = mmio_read32(PLIC_CLAIM(MCTX(h)));
    mei_claim[h] = id;
    mei_count[h]++;
    if (id == UART0_IRQ) {
      mmio_write8(UART_IER, 0); /* drop the source, then complete */
      mmio_write32(PLIC_CLAIM(MCTX(h)), id);
    } else {
      csr_clear(mie, MIP_MEIP); /* not for this hart: keep it from trapping again */
    }
    return 1;
  }
  amoadd(&other_irq, 1);
  return 0;
}

/* ---- The program, on every hart ----------------------------------------------------------- */
static volatile u32 checkin, checkin_order_mask, checkin_hart_mask;
static volatile uptr dtb0;
static volatile u32 lock, locked_counter, amo_counter, lrsc_counter;
static volatile u32 ipi_ack = 0;
static volatile u32 rsv_word, rsv_scratch, rsv_step;
static volatile u32 rsv_a_sc2, rsv_a_mem2, rsv_a_sc1, rsv_a_mem1, rsv_c_sc1, rsv_c_mem;

/* Harts 1 and 2 hand-shake through rsv_step; spec-mandated outcomes only:
 *  A: hart 1 lr.w; hart 2 sc.w (no reservation of its own) fails and writes nothing, then hart 2
 *     stores; hart 1's sc.w fails (another hart wrote the reserved word).
 *  C: hart 1 lr.w; hart 2 adds 1 with an lr.w/sc.w loop; hart 1's sc.w fails. */
static void reservations(u32 hart) {
  if (hart != 1 && hart != 2) return;
  (void)sc(&rsv_scratch, 0); /* drop any reservation left over */
  if (hart == 1) {
    u32 v = lr(&rsv_word);
    rsv_step = 1;
    WAIT_UNTIL(1, rsv_step == 2, "hart 2 (A)");
    rsv_a_sc1 = sc(&rsv_word, v + 1);
    rsv_a_mem1 = rsv_word;
    v = lr(&rsv_word);
    rsv_step = 3;
    WAIT_UNTIL(1, rsv_step == 4, "hart 2 (C)");
    rsv_c_sc1 = sc(&rsv_word, v + 1000);
    rsv_c_mem = rsv_word;
  } else {
    WAIT_UNTIL(2, rsv_step == 1, "hart 1 (A)");
    rsv_a_sc2 = sc(&rsv_word, 0x22222222);
    rsv_a_mem2 = rsv_word;
    rsv_word = 0x12345678;
    __asm__ volatile("fence rw, w" ::: "memory");
    rsv_step = 2;
    WAIT_UNTIL(2, rsv_step == 3, "hart 1 (C)");
    lrsc_add(&rsv_word, 1);
    __asm__ volatile("fence rw, w" ::: "memory");
    rsv_step = 4;
  }
}

static void run(u32 hart, uptr a0, uptr dtb) {
  u32 gen = 0, round = 0;
  uptr sp;
  __asm__ volatile("mv %0, sp" : "=r"(sp));

  /* Check-in: amoadd.w hands out arrival numbers 0..N-1 (in any order). */
  u32 arrival = amoadd(&checkin, 1);
  amoor(&checkin_order_mask, 1u << arrival);
  amoor(&checkin_hart_mask, 1u << hart);
  set_my_mtimecmp(hart, ~0ull); /* no timer interrupt until this hart's turn below */
  WAIT_UNTIL(hart, checkin == N, "every hart to check in");
  barrier(hart, &gen, "check-in");
  if (hart == 0) {
    check(checkin == N && checkin_order_mask == (1u << N) - 1 && checkin_hart_mask == (1u << N) - 1,
          "check-in: %u harts, amoadd.w returned 0..%u once each, hart ids 0..%u", checkin, N - 1,
          N - 1);
  }

  /* Hello, in hart-id order. */
  turn_begin(hart, round);
  u32 id = csr_read(mhartid);
  int own_stack = hart == 0 ? sp <= (uptr)__stack_top && sp > (uptr)__stack_top - 16384
                            : sp <= smp_stack_top(hart) && sp > smp_stack_base(hart);
  check(id == hart && a0 == hart && dtb == dtb0 && own_stack,
        "hart %u: hello (mhartid %u, a0 = %u, a1 = hart 0's DTB address, own stack)", hart, id,
        (u32)a0);
  turn_end();
  round++;

  /* Stress: shared counters, all harts at once. */
  barrier(hart, &gen, "the stress test");
  for (u32 i = 0; i < ITERS; i++) {
    spin_lock(&lock);
    locked_counter = locked_counter + 1; /* plain lw/addi/sw: only correct under the lock */
    spin_unlock(&lock);
    amoadd(&amo_counter, 1);
    lrsc_add(&lrsc_counter, 1);
  }
  barrier(hart, &gen, "the end of the stress test");
  if (hart == 0) {
    printf("stress: %u harts x %u iterations\n", N, ITERS);
    check(locked_counter == N * ITERS, "  LR/SC spinlock, plain increment: %u (expected %u)",
          locked_counter, N * ITERS);
    check(amo_counter == N * ITERS, "  amoadd.w: %u (expected %u)", amo_counter, N * ITERS);
    check(lrsc_counter == N * ITERS, "  lr.w/sc.w loop: %u (expected %u)", lrsc_counter, N * ITERS);
    check(lock == 0, "  spinlock free at the end");
  }

  /* Reservations are per hart (harts 1 and 2; the others wait). */
  if (hart == 0) rsv_word = 0x0badc0de;
  barrier(hart, &gen, "the reservation test");
  reservations(hart);
  barrier(hart, &gen, "the end of the reservation test");
  if (hart == 0) {
    printf("reservations (hart 1 lr.w, hart 2 writes, hart 1 sc.w):\n");
    check(rsv_a_sc2 == 1 && rsv_a_mem2 == 0x0badc0de,
          "  hart 2 sc.w without its own lr.w: rd %u, memory 0x%08x", rsv_a_sc2, rsv_a_mem2);
    check(rsv_a_sc1 != 0 && rsv_a_mem1 == 0x12345678,
          "  hart 1 sc.w after hart 2's sw: fails, memory 0x%08x", rsv_a_mem1);
    check(rsv_c_sc1 != 0 && rsv_c_mem == 0x12345679,
          "  hart 1 sc.w after hart 2's lr.w/sc.w add: fails, memory 0x%08x", rsv_c_mem);
    printf("software interrupts: hart 0 raises msip of each other hart in turn\n");
  }

  /* Software interrupts: hart 0 -> 1, 2, 3, one at a time. */
  csr_write(mie, MIP_MSIP | MIP_MTIP);
  csr_set(mstatus, MSTATUS_MIE);
  barrier(hart, &gen, "interrupts enabled");
  if (hart == 0) {
    for (u32 t = 1; t < N; t++) {
      printf("hart 0: msip[%u] = 1\n", t);
      mmio_write32(MSIP(t), 1);
      WAIT_UNTIL(0, ipi_ack == t, "an IPI to be acknowledged");
    }
  } else {
    wait_irq(hart, &msi_count[hart], "a software interrupt");
    check(msi_count[hart] == 1 && (msi_mip_before[hart] & MIP_MSIP) &&
              !(msi_mip_after[hart] & MIP_MSIP),
          "hart %u: M software interrupt (mip.MSIP set, clear after msip[%u] = 0)", hart, hart);
    __asm__ volatile("fence rw, w" ::: "memory");
    ipi_ack = hart;
  }
  barrier(hart, &gen, "the software interrupts");

  /* Timer: each hart, in turn, arms its own mtimecmp and waits for its timer interrupt. */
  if (hart == 0) printf("timer interrupts: each hart arms its own mtimecmp in turn\n");
  turn_begin(hart, round);
  mti_deadline[hart] = read_mtime() + PERIOD;
  set_my_mtimecmp(hart, mti_deadline[hart]);
  wait_irq(hart, &mti_count[hart], "a timer interrupt");
  check(mti_count[hart] == 1 && !mti_early[hart],
        "hart %u: M timer interrupt from mtimecmp[%u], not before the deadline", hart, hart);
  turn_end();
  round++;

  /* External: the UART's THR-empty interrupt through the PLIC, each hart's M context in turn;
   * every hart has mie.MEIE set, so a wrongly routed interrupt is counted. The threshold is
   * rewritten after enable changes (QEMU 7.2 re-evaluates the outputs on threshold writes). */
  csr_set(mie, MIP_MEIP);
  barrier(hart, &gen, "the timer interrupts");
  if (hart == 0) {
    printf("external interrupts: UART THR empty through each hart's PLIC M context in turn\n");
    mmio_write32(PLIC_PRIORITY(UART0_IRQ), 1);
  }
  turn_begin(hart, round);
  mmio_write32(PLIC_ENABLE(MCTX(hart)), 1u << UART0_IRQ);
  mmio_write32(PLIC_THRESHOLD(MCTX(hart)), 0);
  mmio_write8(UART_IER, IER_THRI);
  wait_irq(hart, &mei_count[hart], "an external interrupt");
  mmio_write32(PLIC_ENABLE(MCTX(hart)), 0);
  mmio_write32(PLIC_THRESHOLD(MCTX(hart)), 0);
  check(mei_count[hart] == 1 && mei_claim[hart] == UART0_IRQ,
        "hart %u: M external interrupt, claim from context %u -> %u", hart, MCTX(hart),
        mei_claim[hart]);
  turn_end();
  round++;

  /* Final report, in order: counts of every interrupt each hart took, its mhartid again. */
  barrier(hart, &gen, "the external interrupts");
  csr_clear(mstatus, MSTATUS_MIE);
  turn_begin(hart, round);
  id = csr_read(mhartid);
  check(id == hart && msi_count[hart] == (hart ? 1u : 0u) && mti_count[hart] == 1 &&
            mei_count[hart] == 1,
        "hart %u: mhartid %u; interrupts taken: %u software, %u timer, %u external", hart, id,
        msi_count[hart], mti_count[hart], mei_count[hart]);
  turn_end();
  round++;

  if (hart == 0) {
    WAIT_UNTIL(0, turn_serving == round * N, "every hart to report");
    check(turn_bad_ticket == 0 && turn_overlap == 0 && turn_next == round * N,
          "ticket lock: %u turns, tickets in hart order, one holder at a time", round * N);
    check(other_irq == 0, "no other interrupts");
    finish("smp");
  }
  csr_write(mie, 0);
}

/* hartid is a0 from the reset ROM, passed through by smp.h's reset code. */
void smp_secondary_main(u32 hartid, uptr dtb) { run(hartid, hartid, dtb); }

int main(u32 hartid, uptr dtb) {
  printf("smp: %u harts start at 0x80000000 with a0 = mhartid\n", N);
  dtb0 = dtb;
  m_trap_hook = m_hook;
  smp_start();
  run(0, hartid, dtb);
  return 0;
}
