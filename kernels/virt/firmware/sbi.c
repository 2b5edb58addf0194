/*
 * SBI calls (spec v2.0): BASE, TIME, IPI, RFENCE, HSM, SRST, DBCN and the legacy console,
 * timer, clear_ipi and shutdown calls; plus the M-mode timer and software interrupts behind them.
 */
#include "fw.h"

struct sbiret {
  long error;
  long value;
};

static struct sbiret ret(long error, long value) { return (struct sbiret){error, value}; }
#define OK(v) ret(SBI_SUCCESS, (v))
#define ERR(e) ret((e), 0)

/* ---- Addresses ---------------------------------------------------------------------------- */

/* [addr, addr + size) is RAM that S-mode may access (not the firmware). */
int addr_ok_for_s(u32 addr, u32 size) {
  u32 end = addr + size;
  if (end < addr || addr < plat.ram_base || end > plat.ram_end) return 0;
  return end <= RVOS_SBI_BASE || addr >= RVOS_SBI_BASE + RVOS_SBI_SIZE;
}

static int valid_hart(u32 h) { return h < MAX_HARTS && (plat.hart_mask >> h) & 1; }

/* Harts an IPI can reach: started or suspended. */
static int interruptible(u32 h) {
  u32 s = harts[h].state;
  return s == SBI_HSM_STATE_STARTED || s == SBI_HSM_STATE_SUSPENDED;
}

/* hart_mask/hart_mask_base -> set of harts; base -1 means every hart. */
static long hart_set(u32 mask, u32 base, u32 *out) {
  if (base == 0xffffffffu) {
    *out = plat.hart_mask;
    return SBI_SUCCESS;
  }
  u32 set = 0;
  for (u32 i = 0; i < 32; i++) {
    if (!((mask >> i) & 1)) continue;
    u32 h = base + i;
    if (h < base || !valid_hart(h)) return SBI_ERR_INVALID_PARAM;
    set |= 1u << h;
  }
  *out = set;
  return SBI_SUCCESS;
}

/* ---- Timer -------------------------------------------------------------------------------- */

static void set_timer(u32 hartid, u64 when) {
  volatile u32 *cmp = CLINT_MTIMECMP(hartid);
  cmp[0] = 0xffffffffu; /* no spurious match while the halves change */
  cmp[1] = (u32)(when >> 32);
  cmp[0] = (u32)when;
  csr_clear(mip, MIP_STIP);
  csr_set(mie, MIP_MTIP);
}

/* M timer interrupt: hand it to S (STIP) and mask it until the next set_timer. */
void timer_interrupt(void) {
  csr_clear(mie, MIP_MTIP);
  csr_set(mip, MIP_STIP);
}

/* ---- IPIs and remote fences --------------------------------------------------------------- */

static void send_msip(u32 h) {
  mb();
  *CLINT_MSIP(h) = 1;
}

/* Runs the fences other harts asked this hart for and acknowledges them. */
void ipi_process(u32 hartid) {
  u32 req = load_acquire(&harts[hartid].fence_req);
  if (req) {
    __asm__ volatile("sfence.vma\n\tfence.i" ::: "memory");
    atomic_and(&harts[hartid].fence_req, ~req);
  }
}

/* M software interrupt (while S/U runs). */
void ipi_interrupt(u32 hartid) {
  *CLINT_MSIP(hartid) = 0;
  mb();
  if (atomic_swap(&harts[hartid].ipi_ssip, 0)) csr_set(mip, MIP_SSIP);
  ipi_process(hartid);
}

static void send_ssip(u32 set, u32 self) {
  for (u32 h = 0; h < MAX_HARTS; h++) {
    if (!((set >> h) & 1) || !interruptible(h)) continue;
    if (h == self) {
      csr_set(mip, MIP_SSIP);
      continue;
    }
    store_release(&harts[h].ipi_ssip, 1);
    send_msip(h);
  }
}

/* sfence.vma + fence.i on every hart of `set` (a superset of any narrower fence), waiting for
 * the others to finish; requests sent to this hart meanwhile are served while waiting. */
static void remote_fence(u32 set, u32 self) {
  u32 bit = 1u << self;
  u32 pending = 0;
  for (u32 h = 0; h < MAX_HARTS; h++) {
    if (!((set >> h) & 1) || h == self || !interruptible(h)) continue;
    atomic_or(&harts[h].fence_req, bit);
    send_msip(h);
    pending |= 1u << h;
  }
  if ((set >> self) & 1) __asm__ volatile("sfence.vma\n\tfence.i" ::: "memory");
  while (pending) {
    for (u32 h = 0; h < MAX_HARTS; h++) {
      if (((pending >> h) & 1) && !(load_acquire(&harts[h].fence_req) & bit)) pending &= ~(1u << h);
    }
    ipi_process(self);
  }
}

/* ---- HSM ---------------------------------------------------------------------------------- */

/* Start-up of a hart that is not running S code: wait for hart_start, serving fences. */
void hsm_stopped_loop(u32 hartid) {
  struct hart *me = &harts[hartid];
  csr_write(mie, MIP_MSIP);
  for (;;) {
    if (csr_read(mip) & MIP_MSIP) {
      *CLINT_MSIP(hartid) = 0;
      mb();
      atomic_swap(&me->ipi_ssip, 0); /* IPIs to a stopped hart are dropped */
      ipi_process(hartid);
      if (load_acquire(&me->start_go)) {
        u32 addr = me->start_addr, arg = me->start_arg;
        me->start_go = 0;
        csr_write(mie, MIP_MSIP); /* IPIs and remote fences; MTIE comes with set_timer */
        csr_clear(mip, MIP_SSIP | MIP_STIP);
        __asm__ volatile("sfence.vma\n\tfence.i" ::: "memory");
        store_release(&me->state, SBI_HSM_STATE_STARTED);
        enter_smode(hartid, arg, addr);
      }
    }
    wfi();
  }
}

static struct sbiret hart_start(u32 hartid, u32 addr, u32 arg) {
  if (!valid_hart(hartid)) return ERR(SBI_ERR_INVALID_PARAM);
  if ((addr & 1) || !addr_ok_for_s(addr, 2)) return ERR(SBI_ERR_INVALID_ADDRESS);
  struct hart *t = &harts[hartid];
  u32 old;
  if (!cas(&t->state, SBI_HSM_STATE_STOPPED, SBI_HSM_STATE_START_PENDING, &old))
    return ERR(old == SBI_HSM_STATE_STARTED ? SBI_ERR_ALREADY_AVAILABLE : SBI_ERR_INVALID_PARAM);
  t->start_addr = addr;
  t->start_arg = arg;
  store_release(&t->start_go, 1);
  send_msip(hartid);
  return OK(0);
}

static void stop_self(u32 hartid) {
  csr_write(mie, 0);
  csr_clear(mip, MIP_SSIP | MIP_STIP);
  store_release(&harts[hartid].state, SBI_HSM_STATE_STOPPED);
  hsm_stopped_loop(hartid);
}

static struct sbiret hart_stop(u32 hartid) {
  u32 old;
  if (!cas(&harts[hartid].state, SBI_HSM_STATE_STARTED, SBI_HSM_STATE_STOP_PENDING, &old)) return ERR(SBI_ERR_FAILED);
  run_on_stack(hartid, stop_self);
}

/* Waits in M-mode, with M interrupts handled by polling, until an S interrupt is pending and
 * enabled (sie), like WFI would for S. */
static void suspend_wait(u32 hartid) {
  for (;;) {
    u32 mip = csr_read(mip), mie = csr_read(mie);
    if (mip & MIP_MSIP) ipi_interrupt(hartid);
    if ((mip & MIP_MTIP) && (mie & MIP_MTIP)) timer_interrupt();
    if (csr_read(mip) & csr_read(mie) & S_INTERRUPTS) return;
    wfi();
  }
}

struct resume {
  u32 addr, arg;
} resume_at[MAX_HARTS];

static void resume_non_retentive(u32 hartid) {
  suspend_wait(hartid);
  store_release(&harts[hartid].state, SBI_HSM_STATE_STARTED);
  enter_smode(hartid, resume_at[hartid].arg, resume_at[hartid].addr);
}

static struct sbiret hart_suspend(u32 hartid, u32 type, u32 addr, u32 arg) {
  if (type != SBI_HSM_SUSPEND_RET_DEFAULT && type != SBI_HSM_SUSPEND_NON_RET_DEFAULT) {
    /* Reserved types are invalid; platform-specific ones are not supported here. */
    int platform = (type >= 0x10000000u && type <= 0x7fffffffu) || type >= 0x90000000u;
    return ERR(platform ? SBI_ERR_NOT_SUPPORTED : SBI_ERR_INVALID_PARAM);
  }
  if (type == SBI_HSM_SUSPEND_NON_RET_DEFAULT && ((addr & 1) || !addr_ok_for_s(addr, 2)))
    return ERR(SBI_ERR_INVALID_ADDRESS);
  store_release(&harts[hartid].state, SBI_HSM_STATE_SUSPENDED);
  if (type == SBI_HSM_SUSPEND_NON_RET_DEFAULT) {
    resume_at[hartid].addr = addr;
    resume_at[hartid].arg = arg;
    run_on_stack(hartid, resume_non_retentive);
  }
  suspend_wait(hartid);
  store_release(&harts[hartid].state, SBI_HSM_STATE_STARTED);
  return OK(0);
}

/* ---- Console ------------------------------------------------------------------------------ */

static struct sbiret dbcn_write(u32 n, u32 lo, u32 hi) {
  if (!n) return OK(0);
  if (hi || !addr_ok_for_s(lo, n)) return ERR(SBI_ERR_INVALID_PARAM);
  const volatile u8 *p = (const volatile u8 *)lo;
  console_lock();
  for (u32 i = 0; i < n; i++) console_putc_raw((char)p[i]);
  console_unlock();
  return OK(n);
}

static struct sbiret dbcn_read(u32 n, u32 lo, u32 hi) {
  if (!n) return OK(0);
  if (hi || !addr_ok_for_s(lo, n)) return ERR(SBI_ERR_INVALID_PARAM);
  volatile u8 *p = (volatile u8 *)lo;
  u32 i = 0;
  console_lock();
  for (int c; i < n && (c = console_getc_raw()) >= 0; i++) p[i] = (u8)c;
  console_unlock();
  return OK(i);
}

static void console_putc(char c) {
  console_lock();
  console_putc_raw(c);
  console_unlock();
}

static int console_getc(void) {
  console_lock();
  int c = console_getc_raw();
  console_unlock();
  return c;
}

/* ---- System reset ------------------------------------------------------------------------- */

static struct sbiret system_reset(u32 type, u32 reason) {
  if (type > SBI_SRST_TYPE_WARM_REBOOT || reason > SBI_SRST_REASON_SYSFAIL) return ERR(SBI_ERR_INVALID_PARAM);
  if (type == SBI_SRST_TYPE_SHUTDOWN)
    system_poweroff(reason == SBI_SRST_REASON_SYSFAIL ? (RVOS_SBI_EXIT_SYSFAIL << 16 | FINISHER_FAIL) : FINISHER_PASS);
  system_poweroff(FINISHER_RESET);
}

/* ---- Dispatch ----------------------------------------------------------------------------- */

static long probe(u32 eid) {
  switch (eid) {
  case SBI_LEGACY_SET_TIMER:
  case SBI_LEGACY_CONSOLE_PUTCHAR:
  case SBI_LEGACY_CONSOLE_GETCHAR:
  case SBI_LEGACY_CLEAR_IPI:
  case SBI_LEGACY_SHUTDOWN:
  case SBI_EXT_BASE:
  case SBI_EXT_TIME:
  case SBI_EXT_IPI:
  case SBI_EXT_RFENCE:
  case SBI_EXT_HSM:
  case SBI_EXT_SRST:
  case SBI_EXT_DBCN:
    return 1;
  default:
    return 0;
  }
}

static struct sbiret base(u32 fid, u32 a0) {
  switch (fid) {
  case SBI_BASE_GET_SPEC_VERSION:
    return OK(RVOS_SBI_SPEC_VERSION);
  case SBI_BASE_GET_IMPL_ID:
    return OK(RVOS_SBI_IMPL_ID);
  case SBI_BASE_GET_IMPL_VERSION:
    return OK(RVOS_SBI_IMPL_VERSION);
  case SBI_BASE_PROBE_EXTENSION:
    return OK(probe(a0));
  case SBI_BASE_GET_MVENDORID:
    return OK(csr_read(mvendorid));
  case SBI_BASE_GET_MARCHID:
    return OK(csr_read(marchid));
  case SBI_BASE_GET_MIMPID:
    return OK(csr_read(mimpid));
  default:
    return ERR(SBI_ERR_NOT_SUPPORTED);
  }
}

static struct sbiret rfence(u32 fid, u32 self, u32 mask, u32 mask_base) {
  if (fid > SBI_RFENCE_SFENCE_VMA_ASID) return ERR(SBI_ERR_NOT_SUPPORTED); /* hfence: no H */
  u32 set;
  long e = hart_set(mask, mask_base, &set);
  if (e) return ERR(e);
  remote_fence(set, self);
  return OK(0);
}

static struct sbiret dispatch(struct regs *r, u32 hartid) {
  u32 eid = r->x[REG_A7], fid = r->x[REG_A6];
  u32 a0 = r->x[REG_A0], a1 = r->x[REG_A1], a2 = r->x[REG_A2];
  switch (eid) {
  case SBI_EXT_BASE:
    return base(fid, a0);
  case SBI_EXT_TIME:
    if (fid != SBI_TIME_SET_TIMER) break;
    set_timer(hartid, (u64)a1 << 32 | a0);
    return OK(0);
  case SBI_EXT_IPI: {
    if (fid != SBI_IPI_SEND_IPI) break;
    u32 set;
    long e = hart_set(a0, a1, &set);
    if (e) return ERR(e);
    send_ssip(set, hartid);
    return OK(0);
  }
  case SBI_EXT_RFENCE:
    return rfence(fid, hartid, a0, a1);
  case SBI_EXT_HSM:
    switch (fid) {
    case SBI_HSM_HART_START:
      return hart_start(a0, a1, a2);
    case SBI_HSM_HART_STOP:
      return hart_stop(hartid);
    case SBI_HSM_HART_GET_STATUS:
      return valid_hart(a0) ? OK(harts[a0].state) : ERR(SBI_ERR_INVALID_PARAM);
    case SBI_HSM_HART_SUSPEND:
      return hart_suspend(hartid, a0, a1, a2);
    }
    break;
  case SBI_EXT_SRST:
    if (fid != SBI_SRST_SYSTEM_RESET) break;
    return system_reset(a0, a1);
  case SBI_EXT_DBCN:
    switch (fid) {
    case SBI_DBCN_CONSOLE_WRITE:
      return dbcn_write(a0, a1, a2);
    case SBI_DBCN_CONSOLE_READ:
      return dbcn_read(a0, a1, a2);
    case SBI_DBCN_CONSOLE_WRITE_BYTE:
      console_putc((char)a0);
      return OK(0);
    }
    break;
  }
  return ERR(SBI_ERR_NOT_SUPPORTED);
}

void sbi_ecall(struct regs *r, u32 hartid) {
  csr_write(mepc, csr_read(mepc) + 4);
  u32 eid = r->x[REG_A7];
  if (eid <= SBI_LEGACY_SHUTDOWN) {
    /* v0.1 calls: the result is a0 only. */
    long v;
    switch (eid) {
    case SBI_LEGACY_SET_TIMER:
      set_timer(hartid, (u64)r->x[REG_A1] << 32 | r->x[REG_A0]);
      v = 0;
      break;
    case SBI_LEGACY_CONSOLE_PUTCHAR:
      console_putc((char)r->x[REG_A0]);
      v = 0;
      break;
    case SBI_LEGACY_CONSOLE_GETCHAR:
      v = console_getc();
      break;
    case SBI_LEGACY_CLEAR_IPI:
      csr_clear(mip, MIP_SSIP);
      v = 0;
      break;
    case SBI_LEGACY_SHUTDOWN:
      system_poweroff(FINISHER_PASS);
    default:
      v = SBI_ERR_NOT_SUPPORTED;
      break;
    }
    r->x[REG_A0] = (u32)v;
    return;
  }
  struct sbiret res = dispatch(r, hartid);
  r->x[REG_A0] = (u32)res.error;
  r->x[REG_A1] = (u32)res.value;
}
