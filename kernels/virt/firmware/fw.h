/* rvos-sbi internals: CSR helpers, platform addresses, shared state. */
#ifndef FW_H
#define FW_H

#include <stdarg.h>
#include <stdint.h>
#include "layout.h"
#include "sbi.h"

typedef uint32_t u32;
typedef int32_t s32;
typedef uint64_t u64;
typedef uint8_t u8;

#define csr_read(csr) ({ u32 v_; __asm__ volatile("csrr %0, " #csr : "=r"(v_)); v_; })
#define csr_write(csr, v) __asm__ volatile("csrw " #csr ", %0" ::"rK"((u32)(v)) : "memory")
#define csr_set(csr, v) __asm__ volatile("csrs " #csr ", %0" ::"rK"((u32)(v)) : "memory")
#define csr_clear(csr, v) __asm__ volatile("csrc " #csr ", %0" ::"rK"((u32)(v)) : "memory")
#define mb() __asm__ volatile("fence rw, rw" ::: "memory")
#define wfi() __asm__ volatile("wfi" ::: "memory")

/* mstatus / mip bits */
#define MSTATUS_SIE (1u << 1)
#define MSTATUS_MIE (1u << 3)
#define MSTATUS_SPIE (1u << 5)
#define MSTATUS_MPIE (1u << 7)
#define MSTATUS_SPP (1u << 8)
#define MSTATUS_MPP (3u << 11)
#define MSTATUS_MPP_S (1u << 11)
#define MSTATUS_MPRV (1u << 17)
#define MIP_SSIP (1u << 1)
#define MIP_MSIP (1u << 3)
#define MIP_STIP (1u << 5)
#define MIP_MTIP (1u << 7)
#define MIP_SEIP (1u << 9)
#define MIP_MEIP (1u << 11)
#define S_INTERRUPTS (MIP_SSIP | MIP_STIP | MIP_SEIP)

/* Platform (QEMU virt). */
#define CLINT_BASE 0x02000000u
#define CLINT_MSIP(h) ((volatile u32 *)(CLINT_BASE + 4 * (h)))
#define CLINT_MTIMECMP(h) ((volatile u32 *)(CLINT_BASE + 0x4000 + 8 * (h)))
#define CLINT_MTIME ((volatile u32 *)(CLINT_BASE + 0xbff8))
#define SIFIVE_TEST ((volatile u32 *)0x00100000u)
#define FINISHER_PASS 0x5555
#define FINISHER_FAIL 0x3333
#define FINISHER_RESET 0x7777
#define UART_BASE 0x10000000u
#define ROM_BASE 0x1000u
#define ROM_END 0x10000u

/* struct fw_dynamic_info (OpenSBI include/sbi/fw_dynamic.h), 32-bit fields on RV32. */
struct fw_dynamic_info {
  u32 magic, version, next_addr, next_mode, options, boot_hart;
};
#define FW_DYNAMIC_INFO_MAGIC 0x4942534f
#define FW_DYNAMIC_NEXT_MODE_S 1
#define FW_DYNAMIC_OPTION_NO_BOOT_PRINTS 0x1
#define DEFAULT_NEXT_ADDR 0x80400000u

/* Registers saved by the trap entry: x1..x31 at index 1..31 (x[2] is the interrupted sp). */
struct regs {
  u32 x[32];
};
enum { REG_A0 = 10, REG_A1, REG_A2, REG_A3, REG_A4, REG_A5, REG_A6, REG_A7 };

/* Per-hart state shared between harts. */
struct hart {
  volatile u32 state;      /* SBI_HSM_STATE_* */
  volatile u32 start_go;   /* hart_start request: start_addr/start_arg are valid */
  volatile u32 start_addr;
  volatile u32 start_arg;
  volatile u32 ipi_ssip;   /* pending SBI IPI: set mip.SSIP */
  volatile u32 fence_req;  /* bit s: hart s waits for this hart to run sfence.vma + fence.i */
  u32 pad[2];
};
extern struct hart harts[MAX_HARTS];

/* Platform facts, from the DTB (or defaults). */
struct platform {
  u32 hart_mask; /* harts in the DTB (bit = hartid) */
  u32 nharts;
  u32 ram_base, ram_end; /* first RAM bank, clipped to 4 GiB */
  u32 boot_hart;
};
extern struct platform plat;

/* entry.S */
void trap_entry(void);
void enter_smode(u32 hartid, u32 arg, u32 addr) __attribute__((noreturn));
void run_on_stack(u32 hartid, void (*fn)(u32)) __attribute__((noreturn));

/* console.c */
void console_init(void);
void console_lock(void);
void console_unlock(void);
void console_putc_raw(char c);
int console_getc_raw(void); /* -1 when nothing is available */
void fw_printf(const char *fmt, ...);
void fw_printf_unlocked(const char *fmt, ...);

/* fmt.c */
typedef void (*fmt_out)(char c, void *ctx);
void fmt_vformat(fmt_out out, void *ctx, const char *fmt, va_list ap);

/* fdt.c */
struct fdt_info {
  u32 hart_mask;
  u32 ram_base, ram_size;
  int have_memory;
};
int fdt_valid(const void *fdt);
void fdt_scan(const void *fdt, struct fdt_info *out);
/* Adds /reserved-memory/mmode_resv0@<base> (no-map) in place; 0 on success or when present. */
int fdt_reserve_firmware(void *fdt, u32 base, u32 size, u32 limit);

/* sbi.c */
void sbi_ecall(struct regs *r, u32 hartid);
void timer_interrupt(void);
void ipi_interrupt(u32 hartid);
void ipi_process(u32 hartid);
void hsm_stopped_loop(u32 hartid) __attribute__((noreturn));
int addr_ok_for_s(u32 addr, u32 size);

/* main.c */
void hart_init(u32 hartid);
void system_poweroff(u32 value) __attribute__((noreturn));

static inline u32 atomic_swap(volatile u32 *p, u32 v) { return __atomic_exchange_n(p, v, __ATOMIC_ACQ_REL); }
static inline u32 atomic_or(volatile u32 *p, u32 v) { return __atomic_fetch_or(p, v, __ATOMIC_ACQ_REL); }
static inline u32 atomic_and(volatile u32 *p, u32 v) { return __atomic_fetch_and(p, v, __ATOMIC_ACQ_REL); }
static inline u32 load_acquire(volatile u32 *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void store_release(volatile u32 *p, u32 v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline int cas(volatile u32 *p, u32 expected, u32 desired, u32 *old) {
  u32 e = expected;
  int ok = __atomic_compare_exchange_n(p, &e, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
  *old = e;
  return ok;
}

#endif
