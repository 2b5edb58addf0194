/*
 * Console on the ns16550a UART at 0x10000000 (QEMU virt), polled; a spinlock keeps one SBI
 * console call's output together when several harts print.
 */
#include "fw.h"

#define UART_REG(i) ((volatile u8 *)(UART_BASE + (i)))
#define RBR 0
#define THR 0
#define DLL 0
#define IER 1
#define DLM 1
#define FCR 2
#define LCR 3
#define LSR 5
#define LSR_DR 0x01
#define LSR_THRE 0x20

static volatile u32 lock;
/* Bytes received before the FIFOs were enabled (enabling them flushes the receiver). */
static u8 early_rx[16];
static u32 early_head, early_count;

void console_init(void) {
  /* Keep what already arrived: turning the FIFOs on discards the receive buffer. */
  while ((*UART_REG(LSR) & LSR_DR) && early_count < sizeof early_rx) early_rx[early_count++] = *UART_REG(RBR);
  *UART_REG(IER) = 0x00;         /* no interrupts (the kernel's driver enables its own) */
  *UART_REG(LCR) = 0x80;         /* DLAB */
  *UART_REG(DLL) = 0x02;         /* 115200 baud from 3.6864 MHz (the emulators ignore it) */
  *UART_REG(DLM) = 0x00;
  *UART_REG(LCR) = 0x03;         /* 8N1 */
  *UART_REG(FCR) = 0x01;         /* FIFOs on (without the reset bits) */
}

void console_lock(void) {
  while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE)) {
    while (lock) {
    }
  }
}

void console_unlock(void) { __atomic_store_n(&lock, 0, __ATOMIC_RELEASE); }

void console_putc_raw(char c) {
  while (!(*UART_REG(LSR) & LSR_THRE)) {
  }
  *UART_REG(THR) = (u8)c;
}

int console_getc_raw(void) {
  if (early_count) {
    int c = early_rx[early_head];
    early_head++;
    early_count--;
    return c;
  }
  if (*UART_REG(LSR) & LSR_DR) return *UART_REG(RBR);
  return -1;
}

static void out_console(char c, void *ctx) {
  (void)ctx;
  console_putc_raw(c);
}

void fw_printf_unlocked(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fmt_vformat(out_console, 0, fmt, ap);
  va_end(ap);
}

void fw_printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  console_lock();
  fmt_vformat(out_console, 0, fmt, ap);
  console_unlock();
  va_end(ap);
}
