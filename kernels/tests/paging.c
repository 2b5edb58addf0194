/* paging: Sv32 translation from S- and U-mode: 4 KiB pages and 4 MiB megapages, permission
 * checks (R/W/X/U, SUM, MXR), page faults with stval, hardware A/D updates, sfence.vma,
 * reserved encodings, delegation of U/S traps (medeleg), ecall causes, and MPRV from M-mode. */
#include "rvos.h"

#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_U 0x10
#define PTE_G 0x20
#define PTE_A 0x40
#define PTE_D 0x80

#define VA_BASE 0x40000000u /* second-level table with 4 KiB pages */
#define VA(i) (VA_BASE + 0x1000u * (i))
enum {
  PG_AD = 0,     /* RW, A=D=0: hardware sets A/D */
  PG_USER = 1,   /* RW + U */
  PG_XONLY = 2,  /* X only */
  PG_RO = 3,     /* R only */
  PG_INVALID = 4,
  PG_UCODE = 5,  /* user code (R X U) */
  PG_UDATA = 6,  /* user data/stack (R W U) */
  PG_WONLY = 7,  /* W without R: reserved */
  PG_REMAP = 8,  /* changed under sfence.vma */
  PG_XFRESH = 9, /* R X, A=0: a fetch sets A */
  PG_WFRESH = 10, /* R W, A=D=0: a store sets both */
};
#define USER_VA VA(PG_UCODE)
#define USER_DATA_VA VA(PG_UDATA)
#define VA_MISALIGNED_MEGA 0xc0000000u
#define VA_LEAF_MISSING 0xc0400000u

static u32 root[1024] __attribute__((aligned(4096)));
static u32 l2[1024] __attribute__((aligned(4096)));
static u32 l2_bad[1024] __attribute__((aligned(4096)));
static u32 pages[7][1024] __attribute__((aligned(4096)));

extern char __user_start[], user_entry[], user_ret42[], user_return[];
extern char xonly_code[], xonly_code_end[];

static u32 pte_leaf(uptr pa, u32 flags) { return (u32)((pa >> 12) << 10) | flags; }
static u32 pte_table(uptr pa) { return (u32)((pa >> 12) << 10) | PTE_V; }
static uptr user_va(const char *sym) { return USER_VA + (uptr)(sym - __user_start); }
static void sfence_all(void) { __asm__ volatile("sfence.vma" ::: "memory"); }
static void sfence_va(uptr va) { __asm__ volatile("sfence.vma %0, zero" ::"r"(va) : "memory"); }

static void build_tables(void) {
  const u32 K = PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D;
  root[0x000] = pte_leaf(0x00000000, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D); /* sifive_test */
  root[0x040] = pte_leaf(0x10000000, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D); /* UART */
  root[0x200] = pte_leaf(0x80000000, K);                                     /* kernel */
  root[VA_BASE >> 22] = pte_table((uptr)l2);
  root[VA_MISALIGNED_MEGA >> 22] = pte_leaf(0x80001000, K); /* PPN[0] != 0 */
  root[VA_LEAF_MISSING >> 22] = pte_table((uptr)l2_bad);
  l2_bad[0] = pte_table((uptr)pages[0]); /* a pointer at level 0 */

  for (int i = 0; i < 7; i++)
    for (int j = 0; j < 1024; j++) pages[i][j] = 0x11111111u * (i + 1);
  memcpy(pages[2], xonly_code, xonly_code_end - xonly_code);
  __asm__ volatile("fence.i");

  l2[PG_AD] = pte_leaf((uptr)pages[0], PTE_V | PTE_R | PTE_W);
  l2[PG_USER] = pte_leaf((uptr)pages[1], PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D);
  l2[PG_XONLY] = pte_leaf((uptr)pages[2], PTE_V | PTE_X | PTE_A);
  l2[PG_RO] = pte_leaf((uptr)pages[3], PTE_V | PTE_R | PTE_A);
  l2[PG_INVALID] = pte_leaf((uptr)pages[3], PTE_R | PTE_W | PTE_A | PTE_D); /* V = 0 */
  l2[PG_UCODE] = pte_leaf((uptr)__user_start, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A);
  l2[PG_UDATA] = pte_leaf((uptr)pages[5], PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D);
  l2[PG_WONLY] = pte_leaf((uptr)pages[0], PTE_V | PTE_W | PTE_A | PTE_D);
  l2[PG_REMAP] = pte_leaf((uptr)pages[4], PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
  l2[PG_XFRESH] = pte_leaf((uptr)pages[2], PTE_V | PTE_R | PTE_X);
  l2[PG_WFRESH] = pte_leaf((uptr)pages[6], PTE_V | PTE_R | PTE_W);
}

/* ---- U-mode driver ---------------------------------------------------------------------- */
enum { U_LW, U_SW, U_EXEC, U_ECALL, U_CSR };

/* Traps from U land in S (medeleg): record them and resume at the user return stub. */
static int s_hook(struct trap_frame *f) {
  if (f->status & MSTATUS_SPP) return 0; /* from S: default handling */
  if (f->cause & CAUSE_INTR) return 0;
  if (f->cause == EXC_ECALL_U && f->regs[17] == RVOS_RETURN_MAGIC) return 0;
  trap_rec.count++;
  trap_rec.cause = f->cause;
  trap_rec.epc = f->epc;
  trap_rec.tval = f->tval;
  trap_rec.prev_mode = PRV_U;
  trap_rec.taken_in = 'S';
  f->epc = user_va(user_return);
  f->regs[10] = 0xdeadbeef;
  return 1;
}

static u32 user_op(u32 op, uptr addr, u32 value) {
  pages[5][0] = op; /* the user data page, written through the kernel's identity mapping */
  pages[5][1] = addr;
  pages[5][2] = value;
  return s_run_user(user_va(user_entry), USER_DATA_VA + 4096);
}

/* Expected user trap: the epc is a user VA (printed as is). */
#define U_TRAP(desc, expr, cause, tval) TRY_TRAP(desc, expr, 0, cause, tval)
#define U_OK(desc, expr, want) TRY_OK(desc, expr, 0, want)

static void show_flags(const char *what, u32 pte, u32 want) {
  check((pte & 0xff) == want, "  %s: PTE flags 0x%02x", what, pte & 0xff);
}

/* ---- S-mode part ------------------------------------------------------------------------ */
static u32 s_main(void) {
  s_trap_hook = s_hook;
  u32 satp = 0x80000000u | ((uptr)root >> 12);
  csr_write(satp, satp);
  sfence_all();
  check(csr_read(satp) == satp, "S: satp = 0x%08x (Sv32), running translated", csr_read(satp));

  printf("accessed/dirty bits (set by hardware):\n");
  show_flags("before", l2[PG_AD], PTE_V | PTE_R | PTE_W);
  TRY_OK("  S lw 0x40000000", probe_lw(VA(PG_AD)), probe_lw, 0x11111111);
  show_flags("after load", l2[PG_AD], PTE_V | PTE_R | PTE_W | PTE_A);
  TRY_OK("  S sw 0x40000000", (probe_sw(VA(PG_AD), 0xa0a0a0a0), probe_lw(VA(PG_AD))), probe_sw, 0xa0a0a0a0);
  show_flags("after store", l2[PG_AD], PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
  check(pages[0][0] == 0xa0a0a0a0, "  store reached the physical page");
  TRY_OK("  S exec 0x40009000", probe_exec(VA(PG_XFRESH)), VA(PG_XFRESH), 0x5a);
  show_flags("after fetch", l2[PG_XFRESH], PTE_V | PTE_R | PTE_X | PTE_A);
  TRY_OK("  S sh 0x4000a002", (probe_sh(VA(PG_WFRESH) + 2, 0xbeef), probe_lw(VA(PG_WFRESH))), probe_sh, 0xbeef7777);
  show_flags("after first access being a store", l2[PG_WFRESH], PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);

  printf("S permission checks:\n");
  TRY_OK("  lw  read-only page", probe_lw(VA(PG_RO)), probe_lw, 0x44444444);
  TRY_TRAP("  sw  read-only page", (probe_sw(VA(PG_RO), 1), 0), probe_sw, EXC_STORE_PAGE, VA(PG_RO));
  TRY_TRAP("  lw  invalid PTE", probe_lw(VA(PG_INVALID) + 8), probe_lw, EXC_LOAD_PAGE, VA(PG_INVALID) + 8);
  TRY_TRAP("  sh  invalid PTE", (probe_sh(VA(PG_INVALID) + 2, 1), 0), probe_sh, EXC_STORE_PAGE, VA(PG_INVALID) + 2);
  TRY_TRAP("  exec invalid PTE", probe_exec(VA(PG_INVALID)), VA(PG_INVALID), EXC_INST_PAGE, VA(PG_INVALID));
  TRY_TRAP("  lw  W-only (reserved)", probe_lw(VA(PG_WONLY)), probe_lw, EXC_LOAD_PAGE, VA(PG_WONLY));
  TRY_TRAP("  sw  W-only (reserved)", (probe_sw(VA(PG_WONLY), 1), 0), probe_sw, EXC_STORE_PAGE, VA(PG_WONLY));
  TRY_TRAP("  lw  misaligned megapage", probe_lw(VA_MISALIGNED_MEGA + 4), probe_lw, EXC_LOAD_PAGE,
           VA_MISALIGNED_MEGA + 4);
  TRY_TRAP("  lw  pointer PTE at level 0", probe_lw(VA_LEAF_MISSING), probe_lw, EXC_LOAD_PAGE, VA_LEAF_MISSING);
  TRY_TRAP("  lw  unmapped megapage", probe_lw(0x50000000), probe_lw, EXC_LOAD_PAGE, 0x50000000);
  /* stval is the address of the part of the access that faulted (priv. spec, mtval). */
  TRY_TRAP("  misaligned lw across into an invalid page", probe_lw(VA(PG_INVALID) - 2), probe_lw,
           EXC_LOAD_PAGE, VA(PG_INVALID));

  printf("SUM (S access to U pages):\n");
  csr_clear(sstatus, MSTATUS_SUM);
  TRY_TRAP("  SUM=0 lw U page", probe_lw(VA(PG_USER)), probe_lw, EXC_LOAD_PAGE, VA(PG_USER));
  TRY_TRAP("  SUM=0 sw U page", (probe_sw(VA(PG_USER), 5), 0), probe_sw, EXC_STORE_PAGE, VA(PG_USER));
  csr_set(sstatus, MSTATUS_SUM);
  TRY_OK("  SUM=1 lw U page", probe_lw(VA(PG_USER)), probe_lw, 0x22222222);
  TRY_OK("  SUM=1 sw U page", (probe_sw(VA(PG_USER) + 4, 0x12121212), probe_lw(VA(PG_USER) + 4)), probe_sw,
         0x12121212);
  TRY_TRAP("  SUM=1 exec U page", probe_exec(user_va(user_ret42)), user_va(user_ret42), EXC_INST_PAGE,
           user_va(user_ret42));
  csr_clear(sstatus, MSTATUS_SUM);

  printf("MXR (loads from execute-only pages):\n");
  u32 first_insn = *(u32 *)xonly_code;
  TRY_TRAP("  MXR=0 lw X-only page", probe_lw(VA(PG_XONLY)), probe_lw, EXC_LOAD_PAGE, VA(PG_XONLY));
  csr_set(sstatus, MSTATUS_MXR);
  TRY_OK("  MXR=1 lw X-only page", probe_lw(VA(PG_XONLY)), probe_lw, first_insn);
  TRY_TRAP("  MXR=1 sw X-only page", (probe_sw(VA(PG_XONLY), 0), 0), probe_sw, EXC_STORE_PAGE, VA(PG_XONLY));
  csr_clear(sstatus, MSTATUS_MXR);
  TRY_OK("  exec X-only page", probe_exec(VA(PG_XONLY)), VA(PG_XONLY), 0x5a);

  printf("sfence.vma:\n");
  TRY_OK("  lw 0x40008000", probe_lw(VA(PG_REMAP)), probe_lw, 0x55555555);
  l2[PG_REMAP] = pte_leaf((uptr)pages[1], PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
  sfence_va(VA(PG_REMAP));
  TRY_OK("  remapped, sfence.vma va: lw", probe_lw(VA(PG_REMAP)), probe_lw, 0x22222222);
  l2[PG_REMAP] = pte_leaf((uptr)pages[1], PTE_V | PTE_R | PTE_A);
  sfence_all();
  TRY_TRAP("  write permission removed, sfence.vma: sw", (probe_sw(VA(PG_REMAP), 1), 0), probe_sw,
           EXC_STORE_PAGE, VA(PG_REMAP));
  l2[PG_REMAP] = 0;
  sfence_all();
  TRY_TRAP("  unmapped, sfence.vma: lw", probe_lw(VA(PG_REMAP)), probe_lw, EXC_LOAD_PAGE, VA(PG_REMAP));

  printf("U-mode (traps delegated to S):\n");
  U_OK("  U lw own data page", user_op(U_LW, USER_DATA_VA + 16, 0), 0x66666666);
  U_OK("  U sw U page", (user_op(U_SW, VA(PG_USER) + 8, 0x77), pages[1][2]), 0x77);
  U_OK("  U exec own page", user_op(U_EXEC, user_va(user_ret42), 0), 42);
  U_TRAP("  U lw S page", user_op(U_LW, VA(PG_AD), 0), EXC_LOAD_PAGE, VA(PG_AD));
  U_TRAP("  U sw S page", user_op(U_SW, VA(PG_AD), 0), EXC_STORE_PAGE, VA(PG_AD));
  U_TRAP("  U sw read-only U page", user_op(U_SW, USER_VA, 0), EXC_STORE_PAGE, USER_VA);
  U_TRAP("  U exec S page", user_op(U_EXEC, VA(PG_XONLY), 0), EXC_INST_PAGE, VA(PG_XONLY));
  U_TRAP("  U lw invalid PTE", user_op(U_LW, VA(PG_INVALID), 0), EXC_LOAD_PAGE, VA(PG_INVALID));
  U_TRAP("  U ecall", user_op(U_ECALL, 0, 0), EXC_ECALL_U, 0);
  U_TRAP("  U csrr sstatus", user_op(U_CSR, 0, 0), EXC_ILLEGAL, 0x10002573);
  check(trap_rec.taken_in == 'S', "  U traps were taken in S (scause/sepc/stval)");

  printf("ecall from S goes to M:\n");
  TRY_TRAP("  S ecall", probe_ecall(0), probe_ecall, EXC_ECALL_S, 0);
  check(trap_rec.taken_in == 'M', "  taken in M");
  return 0x600d;
}

/* ---- M-mode driver ---------------------------------------------------------------------- */
static void mprv_load(const char *desc, uptr va, u32 want, u32 cause) {
  u32 b = trap_rec.count;
  csr_clear(mstatus, MSTATUS_MPP);
  csr_set(mstatus, (PRV_S << MSTATUS_MPP_SHIFT) | MSTATUS_MPRV);
  u32 v = probe_lw(va);
  csr_clear(mstatus, MSTATUS_MPRV);
  if (cause)
    expect_trap(desc, b, v, probe_lw, cause, va);
  else
    expect_value(desc, b, v, probe_lw, want);
}

int main(void) {
  printf("paging: Sv32\n");
  build_tables();
  lower_init();
  csr_write(medeleg, (1u << EXC_ILLEGAL) | (1u << EXC_ECALL_U) | (1u << EXC_INST_PAGE) |
                         (1u << EXC_LOAD_PAGE) | (1u << EXC_STORE_PAGE));
  u32 r = run_in_mode(PRV_S, s_main);
  check(r == 0x600d, "back in M from S");

  printf("M-mode with MPRV=1, MPP=S (satp still set):\n");
  mprv_load("  lw 0x40000000", VA(PG_AD), 0xa0a0a0a0, 0);
  mprv_load("  lw 0x40004000", VA(PG_INVALID), 0, EXC_LOAD_PAGE);
  check(trap_rec.taken_in == 'M', "  MPRV fault taken in M despite medeleg");
  csr_write(satp, 0);
  csr_write(medeleg, 0);
  finish("paging");
}
