/* Raspberry Pi 3 (BCM2837) peripheral addresses and MMIO helpers. Peripherals are Device-nGnRnE
 * (MMU off, or mapped so by mmu.c), so plain volatile accesses are ordered; dsb() is for the
 * mailbox. */
#ifndef RPI_H
#define RPI_H

#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>

/* The kernel runs at KERNEL_OFFSET + physical address (TTBR1, mmu.c), peripherals included. */
#define KERNEL_OFFSET 0xffffff8000000000UL
#define PA(va) ((uintptr_t)(va) - KERNEL_OFFSET)
#define VA(pa) ((void *)((uintptr_t)(pa) + KERNEL_OFFSET))
#define MMIO_BASE (KERNEL_OFFSET + 0x3F000000UL) /* ARM physical 0x3F000000: the VideoCore peripherals */
#define LOCAL_BASE (KERNEL_OFFSET + 0x40000000UL) /* ARM physical 0x40000000: BCM2836 local peripherals */

/* GPIO (BCM2835 ARM Peripherals, 6.1) */
#define GPFSEL1   (MMIO_BASE + 0x200004)
#define GPPUD     (MMIO_BASE + 0x200094)
#define GPPUDCLK0 (MMIO_BASE + 0x200098)

/* PL011 UART0 (BCM2835 ARM Peripherals, 13.4) */
#define UART0_DR   (MMIO_BASE + 0x201000)
#define UART0_FR   (MMIO_BASE + 0x201018)
#define UART0_IBRD (MMIO_BASE + 0x201024)
#define UART0_FBRD (MMIO_BASE + 0x201028)
#define UART0_LCRH (MMIO_BASE + 0x20102C)
#define UART0_CR   (MMIO_BASE + 0x201030)
#define UART0_IMSC (MMIO_BASE + 0x201038)
#define UART0_ICR  (MMIO_BASE + 0x201044)

/* VideoCore mailbox 0 (ARM side) */
#define MBOX_READ   (MMIO_BASE + 0x00B880)
#define MBOX_STATUS (MMIO_BASE + 0x00B898)
#define MBOX_WRITE  (MMIO_BASE + 0x00B8A0)

static inline void mmio_write(uintptr_t reg, uint32_t v) { *(volatile uint32_t *)reg = v; }
static inline uint32_t mmio_read(uintptr_t reg) { return *(volatile uint32_t *)reg; }
static inline void dsb(void) { __asm__ volatile("dsb sy" ::: "memory"); }
static inline void delay_cycles(unsigned n) { while (n--) __asm__ volatile("nop"); }

#define read_sysreg(name) ({ uint64_t v_; __asm__ volatile("mrs %0, " #name : "=r"(v_)); v_; })

/* uart.c */
void uart_init(void);
void uart_putc(char c);
int uart_getc(void); /* blocks; '\r' comes back as '\n' */
void uart_enable_rx_irq(void);
int uart_irq(void);
/* printf.c */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
/* mbox.c */
int mbox_property(volatile uint32_t *buf);
int mbox_get_u32(uint32_t tag, uint32_t *value);
int mbox_get_u32x2(uint32_t tag, uint32_t *a, uint32_t *b);
int mbox_set_clock_rate(uint32_t clock_id, uint32_t hz);
/* power.c: the PM watchdog; neither returns */
void pm_power_off(void) __attribute__((noreturn));
void pm_reboot(void) __attribute__((noreturn));
/* semihost.c */
void semihost_exit(int code) __attribute__((noreturn));
/* exceptions.c; the frame vectors.S saves on exception entry */
struct frame {
  uint64_t x[31];
  uint64_t elr, spsr, sp_el0;
};
void exceptions_init(void);
void exceptions_test(void);
extern volatile int expect_abort; /* mmu.c: the next data/instruction abort at EL1 is a test */
/* timer.c */
#define TICK_HZ 100
extern volatile uint64_t ticks;
void timer_init(void);
int timer_irq(void);
void wait_ticks(uint64_t n);
/* sd.c: the SD card on the EMMC controller */
int sd_init(void);
int sd_read(uint32_t lba, unsigned count, void *buf); /* 512-byte blocks; buf word-aligned */
int sd_write(uint32_t lba, unsigned count, const void *buf);
/* fs.c: rvfs on the card, read-only */
int fs_mount(void);
int fs_mounted(void);
int fs_is_dir(const char *path);
unsigned fs_free_blocks(void);
uint32_t fs_open(const char *path, uint32_t *size);
int fs_read_at(uint32_t inum, uint32_t off, void *dst, unsigned n);
void fs_ls(const char *path);
int fs_read_all(const char *path, void *dst, unsigned max);
/* fs_write.c: -1 on any error */
int fs_write_file(const char *path, const char *text, unsigned len); /* create or replace; bytes */
int fs_mkdir(const char *path);
int fs_remove(const char *path); /* a file or an empty folder */
/* path.c */
#define PATH_MAX 64
int path_resolve(const char *cwd, const char *path, char *out, unsigned size);
/* shell.c */
void shell(void);
/* boot.S */
extern volatile uint64_t entry_el;
extern volatile uint64_t cpu_turn;
void smp_release_spin_table(void);

#endif
