/* timer: CLINT mtime/mtimecmp and msip, mip reflection, WFI, interrupt priority, interrupts
 * taken from lower privilege modes, and S-mode interrupts delegated through mideleg. */
#include "rvos.h"

#define TICKS 5
#define PERIOD (TIMEBASE_HZ / 1000) /* 1 ms */

static volatile u32 ticks, msi_count, order[4], norder;
static volatile u64 next_deadline;
static volatile u32 late_ok = 1;
static volatile u32 last_prev_mode;
static volatile u32 s_cause, s_count;

static int m_hook(struct trap_frame *f) {
  if (!(f->cause & CAUSE_INTR)) return 0;
  u32 irq = f->cause & ~CAUSE_INTR;
  if (norder < 4) order[norder++] = irq;
  last_prev_mode = (f->status >> MSTATUS_MPP_SHIFT) & 3;
  if (irq == 3) {
    mmio_write32(CLINT_MSIP, 0);
    msi_count++;
    return 1;
  }
  if (irq == 7) {
    if (next_deadline) {
      /* The interrupt must not arrive before its deadline. */
      if (read_mtime() < next_deadline) late_ok = 0;
      ticks++;
      printf("  tick %u (mcause 0x%08x)\n", ticks, f->cause);
      if (ticks < TICKS) {
        next_deadline += PERIOD;
        set_mtimecmp(next_deadline);
      } else {
        set_mtimecmp(~0ull);
      }
    } else {
      set_mtimecmp(~0ull);
    }
    return 1;
  }
  return 0;
}

static int s_hook(struct trap_frame *f) {
  if (!(f->cause & CAUSE_INTR)) return 0;
  s_cause = f->cause;
  s_count++;
  if (f->cause == (CAUSE_INTR | 1)) csr_clear(sip, MIP_SSIP);
  if (f->cause == (CAUSE_INTR | 5)) csr_clear(sie, MIP_STIP); /* STIP is M's to clear */
  return 1;
}

static void spin_until(volatile u32 *flag, u32 value) {
  for (u32 i = 0; i < 100000 && *flag != value; i++) {
  }
}

/* Runs in S-mode with mstatus.MIE = 0: M interrupts are still enabled below M. */
static u32 s_raise_msip(void) {
  mmio_write32(CLINT_MSIP, 1);
  spin_until(&msi_count, 1);
  return msi_count;
}

/* Runs in S-mode: a delegated supervisor software interrupt raised by S itself. */
static u32 s_self_ssip(void) {
  csr_set(sie, MIP_SSIP);
  csr_set(sip, MIP_SSIP);
  csr_set(sstatus, MSTATUS_SIE);
  spin_until(&s_count, 1);
  csr_clear(sstatus, MSTATUS_SIE);
  return s_count;
}

/* Runs in S-mode: STIP was set by M before entering. */
static u32 s_take_stip(void) {
  csr_set(sie, MIP_STIP);
  csr_set(sstatus, MSTATUS_SIE);
  spin_until(&s_count, 1);
  csr_clear(sstatus, MSTATUS_SIE);
  return s_count;
}

int main(void) {
  m_trap_hook = m_hook;
  s_trap_hook = s_hook;
  printf("timer: CLINT at 0x%08x, timebase %u Hz\n", CLINT_BASE, TIMEBASE_HZ);

  u64 t0 = read_mtime();
  for (volatile int i = 0; i < 10000; i++) {
  }
  u64 t1 = read_mtime();
  check(t1 > t0, "mtime increases");

  set_mtimecmp(0x123456789abcdef0ull);
  check(mmio_read32(CLINT_MTIMECMP) == 0x9abcdef0 && mmio_read32(CLINT_MTIMECMP + 4) == 0x12345678,
        "mtimecmp reads back both halves");

  csr_write(mie, 0);
  set_mtimecmp(0);
  check((csr_read(mip) & MIP_MTIP) != 0, "mip.MTIP set when mtime >= mtimecmp");
  set_mtimecmp(~0ull);
  check((csr_read(mip) & MIP_MTIP) == 0, "mip.MTIP clear when mtimecmp is in the future");

  mmio_write32(CLINT_MSIP, 1);
  check(mmio_read32(CLINT_MSIP) == 1 && (csr_read(mip) & MIP_MSIP) != 0, "msip = 1 sets mip.MSIP");
  mmio_write32(CLINT_MSIP, 0);
  check(mmio_read32(CLINT_MSIP) == 0 && (csr_read(mip) & MIP_MSIP) == 0, "msip = 0 clears mip.MSIP");

  /* WFI wakes up on a pending enabled interrupt even with mstatus.MIE = 0, without a trap. */
  csr_write(mie, MIP_MTIP);
  set_mtimecmp(read_mtime() + PERIOD / 10);
  norder = 0;
  for (int i = 0; i < 1000 && !(csr_read(mip) & MIP_MTIP); i++) __asm__ volatile("wfi");
  check((csr_read(mip) & MIP_MTIP) != 0 && norder == 0, "wfi with MIE = 0 wakes up, no trap taken");
  set_mtimecmp(~0ull);

  printf("%u timer interrupts, %u ticks apart:\n", TICKS, PERIOD);
  ticks = 0;
  next_deadline = read_mtime() + PERIOD;
  set_mtimecmp(next_deadline);
  csr_write(mie, MIP_MTIP);
  csr_set(mstatus, MSTATUS_MIE);
  while (ticks < TICKS) __asm__ volatile("wfi");
  csr_clear(mstatus, MSTATUS_MIE);
  next_deadline = 0;
  check(ticks == TICKS && late_ok, "%u ticks, none early", ticks);

  printf("software interrupt:\n");
  msi_count = 0;
  norder = 0;
  csr_write(mie, MIP_MSIP);
  csr_set(mstatus, MSTATUS_MIE);
  mmio_write32(CLINT_MSIP, 1);
  spin_until(&msi_count, 1);
  csr_clear(mstatus, MSTATUS_MIE);
  check(msi_count == 1 && norder == 1 && order[0] == 3, "  taken once, mcause 0x%08x",
        CAUSE_INTR | order[0]);

  printf("priority (MSI before MTI when both pending):\n");
  norder = 0;
  msi_count = 0;
  csr_write(mie, MIP_MSIP | MIP_MTIP);
  mmio_write32(CLINT_MSIP, 1);
  set_mtimecmp(0);
  csr_set(mstatus, MSTATUS_MIE);
  for (int i = 0; i < 1000 && norder < 2; i++) {
  }
  csr_clear(mstatus, MSTATUS_MIE);
  check(norder == 2 && order[0] == 3 && order[1] == 7, "  order: %u then %u", order[0], order[1]);

  printf("lower privilege:\n");
  lower_init();
  msi_count = 0;
  norder = 0;
  csr_write(mie, MIP_MSIP);
  csr_clear(mstatus, MSTATUS_MIE);
  u32 r = run_in_mode(PRV_S, s_raise_msip);
  check(r == 1 && last_prev_mode == PRV_S, "  M interrupt taken from S with mstatus.MIE = 0");

  csr_write(mie, 0);
  csr_write(mideleg, MIP_SSIP | MIP_STIP | MIP_SEIP);
  printf("  mideleg = 0x%08x\n", csr_read(mideleg));
  s_count = 0;
  r = run_in_mode(PRV_S, s_self_ssip);
  check(r == 1 && s_cause == (CAUSE_INTR | 1), "  delegated SSIP taken in S, scause 0x%08x", s_cause);

  /* A delegated interrupt pending in M-mode is not taken there. */
  csr_set(mip, MIP_STIP);
  csr_write(mie, MIP_STIP);
  norder = 0;
  csr_set(mstatus, MSTATUS_MIE);
  for (volatile int i = 0; i < 1000; i++) {
  }
  csr_clear(mstatus, MSTATUS_MIE);
  check(norder == 0, "  delegated STIP pending in M-mode is not taken in M");
  s_count = 0;
  s_cause = 0;
  r = run_in_mode(PRV_S, s_take_stip);
  check(r == 1 && s_cause == (CAUSE_INTR | 5), "  STIP set by M taken in S, scause 0x%08x", s_cause);
  csr_clear(mip, MIP_STIP);
  check((csr_read(mip) & MIP_STIP) == 0, "  M clears mip.STIP");
  csr_write(mie, 0);
  csr_write(mideleg, 0);
  finish("timer");
}
