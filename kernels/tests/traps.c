/* traps: M-mode exceptions (ecall, ebreak, illegal instruction, access faults, misaligned
 * accesses and AMOs) with mcause/mepc/mtval, trap-time mstatus, and a vectored mtvec. */
#include "rvos.h"

u32 probe_ill_op(void), probe_ill_csr(void), probe_ill_ld(void), probe_ill_c0(void);
u32 probe_ill_ones(void), probe_ill_c_lwsp0(void), probe_ill_c_addi4spn0(void);
extern char vector_table[];
extern volatile u32 vector_hit;

static u8 buf[64] __attribute__((aligned(64)));
static u8 pages[8192] __attribute__((aligned(4096)));

static volatile u32 seen_status, seen_cause, seen_epc;
static volatile u32 irq_count;

/* Records the mstatus seen by the handler for the ecall test, services interrupts. */
static int hook(struct trap_frame *f) {
  seen_status = f->status;
  seen_cause = f->cause;
  seen_epc = f->epc;
  if (f->cause == (CAUSE_INTR | 3)) {
    mmio_write32(CLINT_MSIP, 0);
    irq_count++;
    return 1;
  }
  if (f->cause == (CAUSE_INTR | 7)) {
    set_mtimecmp(~0ull);
    irq_count++;
    return 1;
  }
  return 0;
}

/* For AMOs the spec wants the store/AMO cause (6 misaligned, 7 access fault); QEMU 7.2 reports the
 * load cause (4, 5). Either is accepted and the transcript shows only the outcome. */
static void amo_outcome(const char *desc, u32 before, u32 addr, u32 cause_a, u32 cause_b,
                        const char *what) {
  int ok = trap_rec.count == before + 1 && trap_rec.tval == addr &&
           (trap_rec.cause == cause_a || trap_rec.cause == cause_b);
  if (ok) {
    printf("%s -> %s trap, mtval = address\n", desc, what);
    return;
  }
  printf("%s ", desc);
  report_probe(before, 0, 0);
  printf("  expected a%s %s trap\n", what[0] == 'a' ? "n" : "", what);
  failures++;
}
#define misaligned_outcome(desc, before, addr)                                                     \
  amo_outcome(desc, before, addr, EXC_LOAD_MISALIGNED, EXC_STORE_MISALIGNED, "address-misaligned")

int main(void) {
  m_trap_hook = hook;
  printf("traps: M-mode exceptions, direct mtvec\n");
  TRY_TRAP("ecall", probe_ecall(0), probe_ecall, EXC_ECALL_M, 0);
  check((seen_status & MSTATUS_MPP) == MSTATUS_MPP, "  mstatus.MPP = M at trap");
  TRY_TRAP("ebreak", (probe_ebreak(), 0), probe_ebreak, EXC_BREAKPOINT, 0);

  /* MIE is cleared on entry, saved in MPIE, and restored by mret. */
  csr_write(mie, 0);
  csr_set(mstatus, MSTATUS_MIE);
  probe_ecall(0);
  u32 after = csr_read(mstatus);
  check((seen_status & MSTATUS_MIE) == 0 && (seen_status & MSTATUS_MPIE) != 0,
        "  trap clears MIE and saves it in MPIE (mstatus at trap 0x%08x)", seen_status & 0x1888);
  check((after & MSTATUS_MIE) != 0, "  mret restores MIE");
  csr_clear(mstatus, MSTATUS_MIE);

  printf("illegal instructions (mtval = instruction bits):\n");
  TRY_TRAP("  0x40001033", probe_ill_op(), probe_ill_op, EXC_ILLEGAL, 0x40001033);
  TRY_TRAP("  csrw cycle", probe_ill_csr(), probe_ill_csr, EXC_ILLEGAL, 0xc0001073);
  TRY_TRAP("  ld (RV64)", probe_ill_ld(), probe_ill_ld, EXC_ILLEGAL, 0x00003003);
  TRY_TRAP("  0x0000", probe_ill_c0(), probe_ill_c0, EXC_ILLEGAL, 0);
  TRY_TRAP("  0x00000077", probe_ill_ones(), probe_ill_ones, EXC_ILLEGAL, 0x00000077);
  TRY_TRAP("  c.lwsp x0 (0x4002)", probe_ill_c_lwsp0(), probe_ill_c_lwsp0, EXC_ILLEGAL, 0x4002);
  TRY_TRAP("  c.addi4spn imm 0 (0x0008)", probe_ill_c_addi4spn0(), probe_ill_c_addi4spn0, EXC_ILLEGAL, 0x0008);

  csr_write(medeleg, 0xffff);
  printf("M-mode traps are never delegated (medeleg written with 0xffff):\n");
  TRY_TRAP("  illegal", probe_ill_op(), probe_ill_op, EXC_ILLEGAL, 0x40001033);
  TRY_TRAP("  ecall", probe_ecall(0), probe_ecall, EXC_ECALL_M, 0);
  csr_write(medeleg, 0);

  printf("access faults:\n");
  TRY_TRAP("  lw 0x00000000", probe_lw(0), probe_lw, EXC_LOAD_ACCESS, 0);
  TRY_TRAP("  lbu 0x00000ffc", probe_lbu(0xffc), probe_lbu, EXC_LOAD_ACCESS, 0xffc);
  TRY_TRAP("  sw 0x00000000", (probe_sw(0, 1), 0), probe_sw, EXC_STORE_ACCESS, 0);
  TRY_TRAP("  sh 0x00000002", (probe_sh(2, 1), 0), probe_sh, EXC_STORE_ACCESS, 2);
  TRY_TRAP("  lw 0x88000000 (end of RAM)", probe_lw(0x88000000), probe_lw, EXC_LOAD_ACCESS, 0x88000000);
  TRY_TRAP("  sb 0x88000000 (end of RAM)", (probe_sb(0x88000000, 1), 0), probe_sb, EXC_STORE_ACCESS,
           0x88000000);
  u32 n0 = trap_rec.count;
  probe_amoadd(0, 1);
  amo_outcome("  amoadd.w 0x00000000", n0, 0, EXC_LOAD_ACCESS, EXC_STORE_ACCESS, "access-fault");
  TRY_TRAP("  lr.w 0x00000000", probe_lr(0), probe_lr, EXC_LOAD_ACCESS, 0);
  /* The value is not shown: the loader may have put the DTB there. */
  TRY_OK("  lw 0x87fffffc (last RAM word), no trap", (probe_lw(0x87fffffc), 0), probe_lw, 0);
  TRY_TRAP("  jump to 0x00000000", probe_exec(0), 0, EXC_INST_ACCESS, 0);
  TRY_TRAP("  jump to 0x88000000", probe_exec(0x88000000), 0x88000000, EXC_INST_ACCESS, 0x88000000);

  printf("misaligned loads/stores to RAM complete:\n");
  for (int i = 0; i < 64; i++) buf[i] = 0x80 + i;
  uptr b = (uptr)buf;
  TRY_OK("  lw +1", probe_lw(b + 1), probe_lw, 0x84838281);
  TRY_OK("  lw +2", probe_lw(b + 2), probe_lw, 0x85848382);
  TRY_OK("  lw +3", probe_lw(b + 3), probe_lw, 0x86858483);
  TRY_OK("  lh +1", probe_lh(b + 1), probe_lh, 0xffff8281);
  TRY_OK("  lhu +3", probe_lhu(b + 3), probe_lhu, 0x8483);
  TRY_OK("  sw +5", (probe_sw(b + 5, 0x11223344), probe_lw(b + 4)), probe_sw, 0x22334484);
  TRY_OK("  (next word)", probe_lw(b + 8), probe_lw, 0x8b8a8911);
  TRY_OK("  sh +11", (probe_sh(b + 11, 0xaabb), probe_lw(b + 8)), probe_sh, 0xbb8a8911);
  TRY_OK("  (next word)", probe_lw(b + 12), probe_lw, 0x8f8e8daa);
  pages[4094] = 0x11;
  pages[4095] = 0x22;
  pages[4096] = 0x33;
  pages[4097] = 0x44;
  TRY_OK("  lw across a page boundary", probe_lw((uptr)pages + 4094), probe_lw, 0x44332211);
  TRY_OK("  sw across a page boundary", (probe_sw((uptr)pages + 4093, 0xa1b2c3d4), probe_lw((uptr)pages + 4092)),
         probe_sw, 0xb2c3d400);

  printf("misaligned atomics trap:\n");
  /* The spec wants cause 6 (store/AMO address misaligned) for AMOs; QEMU 7.2 reports 4. Both
   * are accepted and the transcript shows only the outcome. */
  n0 = trap_rec.count;
  probe_amoadd(b + 2, 1);
  misaligned_outcome("  amoadd.w +2", n0, b + 2);
  n0 = trap_rec.count;
  probe_amoswap(b + 1, 1);
  misaligned_outcome("  amoswap.w +1", n0, b + 1);
  n0 = trap_rec.count;
  probe_lr(b + 2);
  misaligned_outcome("  lr.w +2", n0, b + 2);
  /* SC without a reservation may fail before checking alignment (QEMU does): accept a
   * misaligned trap or a failure code, as long as memory is unchanged. */
  n0 = trap_rec.count;
  u32 sc = probe_sc(b + 2, 1);
  if (trap_rec.count == n0 && sc != 0)
    printf("  sc.w +2 -> no store\n");
  else
    misaligned_outcome("  sc.w +2", n0, b + 2);
  TRY_OK("  memory unchanged", probe_lw(b), probe_lw, 0x83828180);

  printf("vectored mtvec:\n");
  u32 old_tvec = csr_read(mtvec);
  csr_write(mtvec, (uptr)vector_table | 1);
  check(csr_read(mtvec) == ((uptr)vector_table | 1), "  mtvec reads back base|1");
  vector_hit = 99;
  TRY_TRAP("  ecall", probe_ecall(0), probe_ecall, EXC_ECALL_M, 0);
  check(vector_hit == 0, "  exception uses entry 0 (got %u)", vector_hit);
  /* Software interrupt: MSIE + MIE, then raise msip. */
  vector_hit = 99;
  irq_count = 0;
  csr_write(mie, MIP_MSIP);
  csr_set(mstatus, MSTATUS_MIE);
  mmio_write32(CLINT_MSIP, 1);
  for (int i = 0; i < 1000 && irq_count == 0; i++) {
  }
  csr_clear(mstatus, MSTATUS_MIE);
  check(irq_count == 1 && vector_hit == 3 && seen_cause == (CAUSE_INTR | 3),
        "  machine software interrupt uses entry 3 (mcause 0x%08x)", seen_cause);
  /* Timer interrupt: mtimecmp = 0 is already due. */
  vector_hit = 99;
  irq_count = 0;
  csr_write(mie, MIP_MTIP);
  set_mtimecmp(0);
  csr_set(mstatus, MSTATUS_MIE);
  for (int i = 0; i < 1000 && irq_count == 0; i++) {
  }
  csr_clear(mstatus, MSTATUS_MIE);
  check(irq_count == 1 && vector_hit == 7 && seen_cause == (CAUSE_INTR | 7),
        "  machine timer interrupt uses entry 7 (mcause 0x%08x)", seen_cause);
  /* Interrupt mepc points at the instruction that did not execute (inside main). */
  check(seen_epc >= (uptr)main && seen_epc < (uptr)main + 4096, "  interrupt mepc in main");
  csr_write(mie, 0);
  csr_write(mtvec, old_tvec);
  finish("traps");
}
