/*
 * rvos guest library: the few things every bare-metal test program needs on the `virt` board
 * (QEMU virt compatible): UART output, printf-lite, power-off, trap entry, privilege switches.
 *
 * Everything runs on hart 0 only; other harts park in WFI in start.S.
 */
#ifndef RVOS_H
#define RVOS_H

#include <stdarg.h>
#include <stdint.h>

typedef uint32_t u32;
typedef int32_t s32;
typedef uint64_t u64;
typedef uint8_t u8;
typedef uint16_t u16;
typedef uintptr_t uptr;

/* ---- Board addresses (virt) --------------------------------------------------------------- */
#define UART0_BASE 0x10000000u
#define TEST_BASE 0x00100000u /* sifive_test finisher */
#define CLINT_BASE 0x02000000u
#define CLINT_MSIP (CLINT_BASE + 0x0)
#define CLINT_MTIMECMP (CLINT_BASE + 0x4000)
#define CLINT_MTIME (CLINT_BASE + 0xbff8)
#define PLIC_BASE 0x0c000000u
#define PLIC_PRIORITY(irq) (PLIC_BASE + 4u * (irq))
#define PLIC_PENDING (PLIC_BASE + 0x1000)
#define PLIC_ENABLE(ctx) (PLIC_BASE + 0x2000 + 0x80u * (ctx))
#define PLIC_THRESHOLD(ctx) (PLIC_BASE + 0x200000 + 0x1000u * (ctx))
#define PLIC_CLAIM(ctx) (PLIC_BASE + 0x200004 + 0x1000u * (ctx))
#define UART0_IRQ 10
#define VIRTIO_BASE(i) (0x10001000u + 0x1000u * (i))

#define TIMEBASE_HZ 10000000u

/* ---- MMIO -------------------------------------------------------------------------------- */
static inline u32 mmio_read32(uptr a) { return *(volatile u32 *)a; }
static inline void mmio_write32(uptr a, u32 v) { *(volatile u32 *)a = v; }
static inline u8 mmio_read8(uptr a) { return *(volatile u8 *)a; }
static inline void mmio_write8(uptr a, u8 v) { *(volatile u8 *)a = v; }

/* ---- CSRs -------------------------------------------------------------------------------- */
#define csr_read(csr)                                                                              \
  ({                                                                                               \
    u32 __v;                                                                                       \
    __asm__ volatile("csrr %0, " #csr : "=r"(__v)::"memory");                                      \
    __v;                                                                                           \
  })
#define csr_write(csr, val) __asm__ volatile("csrw " #csr ", %0" ::"rK"((u32)(val)) : "memory")
#define csr_set(csr, val) __asm__ volatile("csrs " #csr ", %0" ::"rK"((u32)(val)) : "memory")
#define csr_clear(csr, val) __asm__ volatile("csrc " #csr ", %0" ::"rK"((u32)(val)) : "memory")
#define csr_swap(csr, val)                                                                         \
  ({                                                                                               \
    u32 __v;                                                                                       \
    __asm__ volatile("csrrw %0, " #csr ", %1" : "=r"(__v) : "rK"((u32)(val)) : "memory");          \
    __v;                                                                                           \
  })

#define MSTATUS_SIE (1u << 1)
#define MSTATUS_MIE (1u << 3)
#define MSTATUS_SPIE (1u << 5)
#define MSTATUS_MPIE (1u << 7)
#define MSTATUS_SPP (1u << 8)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP (3u << 11)
#define MSTATUS_MPRV (1u << 17)
#define MSTATUS_SUM (1u << 18)
#define MSTATUS_MXR (1u << 19)
#define MSTATUS_TVM (1u << 20)
#define MSTATUS_TW (1u << 21)
#define MSTATUS_TSR (1u << 22)

#define MIP_SSIP (1u << 1)
#define MIP_MSIP (1u << 3)
#define MIP_STIP (1u << 5)
#define MIP_MTIP (1u << 7)
#define MIP_SEIP (1u << 9)
#define MIP_MEIP (1u << 11)

#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

#define CAUSE_INTR 0x80000000u
enum {
  EXC_INST_MISALIGNED = 0,
  EXC_INST_ACCESS = 1,
  EXC_ILLEGAL = 2,
  EXC_BREAKPOINT = 3,
  EXC_LOAD_MISALIGNED = 4,
  EXC_LOAD_ACCESS = 5,
  EXC_STORE_MISALIGNED = 6,
  EXC_STORE_ACCESS = 7,
  EXC_ECALL_U = 8,
  EXC_ECALL_S = 9,
  EXC_ECALL_M = 11,
  EXC_INST_PAGE = 12,
  EXC_LOAD_PAGE = 13,
  EXC_STORE_PAGE = 15,
};

/* ---- Console and exit -------------------------------------------------------------------- */
void uart_init(void);
void putchar_(int c);
void puts_(const char *s); /* no newline added */
void printf_(const char *fmt, ...);
void vprintf_(const char *fmt, va_list ap);
#define printf printf_
#define puts puts_
#define putchar putchar_

/* Power off through sifive_test: 0 = pass (0x5555), otherwise fail with `code` ((code<<16)|0x3333). */
__attribute__((noreturn)) void exit_(int code);
#define exit exit_

/* Test bookkeeping: check() prints "  ok"/"  FAIL" and counts failures; finish() prints the verdict
 * and exits with 0 or with the number of failures (capped at 255). */
extern int failures;
void check(int cond, const char *fmt, ...);
__attribute__((noreturn)) void finish(const char *name);

/* ---- Traps ------------------------------------------------------------------------------- */
struct trap_frame {
  u32 regs[32]; /* x0..x31 (x0 slot unused) */
  u32 epc, cause, tval, status;
};

/* Handlers can be replaced per test: return 1 when the trap was handled. */
typedef int (*trap_hook_t)(struct trap_frame *f);
extern trap_hook_t m_trap_hook;
extern trap_hook_t s_trap_hook;

void m_trap_entry(void);
void s_trap_entry(void);
extern char m_trap_stack_top[], s_trap_stack_top[];

/* Last exception recovered by the default handlers. Probes (below) let a test provoke an
 * exception and continue: the handler records it and resumes at the probe's return address. */
struct trap_record {
  u32 count;
  u32 cause, epc, tval;
  u32 prev_mode; /* privilege the trap came from */
  char taken_in; /* 'M' or 'S' */
};
extern volatile struct trap_record trap_rec;
void trap_rec_clear(void);
const char *cause_name(u32 cause);

/* Probes: tiny uncompressed leaf functions in section .probe (so a fault inside is recognised). */
u32 probe_lw(uptr addr);
u32 probe_lh(uptr addr);
u32 probe_lhu(uptr addr);
u32 probe_lb(uptr addr);
u32 probe_lbu(uptr addr);
void probe_sw(uptr addr, u32 v);
void probe_sh(uptr addr, u32 v);
void probe_sb(uptr addr, u32 v);
u32 probe_exec(uptr addr); /* jumps to addr with ra = caller; code there may `ret` */
u32 probe_ecall(u32 a0);
void probe_ebreak(void);
u32 probe_amoadd(uptr addr, u32 v);
u32 probe_amoswap(uptr addr, u32 v);
u32 probe_lr(uptr addr);
u32 probe_sc(uptr addr, u32 v);
extern char __probe_start[], __probe_end[];

/* Prints the rest of a line describing what a probe did: "-> 0x<value>" when no trap was recorded
 * since count_before, else the trap (cause, tval, modes, epc relative to `probe`). */
void report_probe(u32 count_before, u32 value, const void *probe);

/* Probe helpers that print one line and check it: TRY_TRAP expects exactly one recorded trap with
 * the given cause and tval and an epc inside the probe (not checked when probe is 0); TRY_OK expects no trap and value `want`. */
void expect_trap(const char *desc, u32 before, u32 value, const void *probe, u32 cause, u32 tval);
void expect_value(const char *desc, u32 before, u32 value, const void *probe, u32 want);
#define TRY_TRAP(desc, expr, probe, cause, tval)                                                   \
  do {                                                                                             \
    u32 b_ = trap_rec.count;                                                                       \
    u32 v_ = (u32)(expr);                                                                          \
    expect_trap(desc, b_, v_, (const void *)(probe), cause, tval);                                 \
  } while (0)
#define TRY_OK(desc, expr, probe, want)                                                            \
  do {                                                                                             \
    u32 b_ = trap_rec.count;                                                                       \
    u32 v_ = (u32)(expr);                                                                          \
    expect_value(desc, b_, v_, (const void *)(probe), want);                                       \
  } while (0)

/* ---- Privilege switches ------------------------------------------------------------------ */
/* From M-mode: runs fn in S- or U-mode (mode = PRV_S/PRV_U) on a separate stack and returns
 * fn's return value once fn returns (the return path is an ecall with a7 = RVOS_RETURN_MAGIC). */
#define RVOS_RETURN_MAGIC 0x52564f53u /* "RVOS" */
u32 run_in_mode(int mode, u32 (*fn)(void));
/* From S-mode: runs code at `entry` in U-mode with stack `sp`; returns when it ecalls with
 * a7 = RVOS_RETURN_MAGIC (a0 = result). Uses the S trap path (medeleg must delegate ecall-U). */
u32 s_run_user(uptr entry, uptr sp);

/* Opens all of physical memory to S/U mode through PMP entry 0 (NAPOT, RWX). */
void pmp_open_all(void);
/* From M-mode: pmp_open_all() plus stvec = s_trap_entry and sscratch = the S trap stack. */
void lower_init(void);

/* setjmp/longjmp (callee-saved registers, sp, ra). */
typedef u32 jmp_buf_[14];
int setjmp_(jmp_buf_ jb);
__attribute__((noreturn)) void longjmp_(jmp_buf_ jb, int v);

/* ---- Misc -------------------------------------------------------------------------------- */
u64 read_mtime(void);
void set_mtimecmp(u64 t);
void *memset(void *d, int c, unsigned long n);
void *memcpy(void *d, const void *s, unsigned long n);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
