/* COM1 (16550A at 0x3f8): 115200 8N1, FIFOs on. Output is polled (LSR.THRE); input is polled
 * until serial_enable_irq(), then the receive interrupt (IER.ERBFI, MCR.OUT2 gates IRQ 4 on a
 * PC) moves bytes into a ring the shell reads. Lines end in '\n' only, as the other kernels'. */
#include "pc.h"

#define COM1 0x3f8
#define RING 256

static volatile uint8_t ring[RING];
static volatile unsigned head, tail;
static int irq_mode;
int vga_console;

void serial_init(void) {
  outb(COM1 + 1, 0x00); /* IER: no interrupts */
  outb(COM1 + 3, 0x80); /* LCR.DLAB */
  outb(COM1 + 0, 1);    /* divisor 1: 115200 baud */
  outb(COM1 + 1, 0);
  outb(COM1 + 3, 0x03); /* 8N1 */
  outb(COM1 + 2, 0xc7); /* FIFO on, cleared, 14-byte trigger */
  outb(COM1 + 4, 0x03); /* DTR, RTS */
}

/* The console: COM1, and the VGA screen once the motd is on it (light grey on black). */
void uart_putc(char c) {
  while (!(inb(COM1 + 5) & 0x20)) {}
  outb(COM1, (uint8_t)c);
  if (vga_console) vga_write(&c, 1, 0x07);
}

void serial_enable_irq(void) {
  irq_mode = 1;
  outb(COM1 + 4, 0x0b); /* DTR, RTS, OUT2 */
  outb(COM1 + 1, 0x01); /* IER: received data available */
  pic_unmask(4);
}

/* A full ring turns the receive interrupt off and leaves the bytes in the UART, whose full FIFO
 * then holds the sender back (QEMU stops reading its input): nothing is lost. */
static volatile int rx_stopped;

/* A byte from another input (the keyboard); dropped when the ring is full. */
void console_input(char c) {
  if (head - tail < RING) ring[head++ % RING] = (uint8_t)c;
}

void serial_irq(void) {
  while (head - tail < RING && (inb(COM1 + 5) & 0x01)) ring[head++ % RING] = inb(COM1);
  if (head - tail == RING) {
    rx_stopped = 1;
    outb(COM1 + 1, 0x00);
  }
}

/* Blocks: polls the line status, or sleeps (HLT with interrupts on) until the ring has a byte. */
int uart_getc(void) {
  int c;
  if (!irq_mode) {
    while (!(inb(COM1 + 5) & 0x01)) {}
    c = inb(COM1);
  } else {
    for (;;) {
      __asm__ volatile("cli");
      if (head != tail) break;
      proc_idle(); /* other processes run, or STI; HLT (STI's shadow: no interrupt slips in before the HLT) */
    }
    c = ring[tail++ % RING];
    if (rx_stopped) {
      rx_stopped = 0;
      outb(COM1 + 1, 0x01); /* data still waiting raises the interrupt again */
    }
    __asm__ volatile("sti");
  }
  return c == '\r' ? '\n' : c;
}
