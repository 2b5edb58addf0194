/* PL011 UART0 on GPIO 14/15, set up as the classic Pi 3 bare-metal code does: UART clock fixed
 * at 4 MHz through the mailbox so the divisors are known (4e6 / (16 * 115200) = 2.17: IBRD 2,
 * FBRD round(0.17 * 64) = 11), pins to ALT0 with pulls off, 8N1 with FIFOs, polled. */
#include "rpi.h"

#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define UART_CLOCK_ID 2

void uart_init(void) {
  mmio_write(UART0_CR, 0); /* disable while reprogramming */
  mbox_set_clock_rate(UART_CLOCK_ID, 4000000);

  /* GPIO 14 (TXD0) and 15 (RXD0): function ALT0 = 0b100, FSEL fields at bits 12 and 15. */
  uint32_t sel = mmio_read(GPFSEL1);
  sel &= ~((7u << 12) | (7u << 15));
  sel |= (4u << 12) | (4u << 15);
  mmio_write(GPFSEL1, sel);
  /* Pull-up/down off: write GPPUD, wait 150 cycles, clock it into the pins, wait, unclock
   * (BCM2835 ARM Peripherals p. 101). */
  mmio_write(GPPUD, 0);
  delay_cycles(150);
  mmio_write(GPPUDCLK0, (1u << 14) | (1u << 15));
  delay_cycles(150);
  mmio_write(GPPUDCLK0, 0);

  mmio_write(UART0_ICR, 0x7FF); /* clear pending interrupts */
  mmio_write(UART0_IBRD, 2);
  mmio_write(UART0_FBRD, 11);
  mmio_write(UART0_LCRH, (3u << 5) | (1u << 4)); /* WLEN 8 bits, FEN; written after the divisors, which it latches */
  mmio_write(UART0_IMSC, 0);                     /* polled: every interrupt masked */
  mmio_write(UART0_CR, (1u << 9) | (1u << 8) | 1u); /* RXE, TXE, UARTEN */
}

void uart_putc(char c) {
  while (mmio_read(UART0_FR) & FR_TXFF) {}
  mmio_write(UART0_DR, (uint8_t)c);
}

int uart_getc(void) {
  while (mmio_read(UART0_FR) & FR_RXFE) {}
  int c = mmio_read(UART0_DR) & 0xFF;
  return c == '\r' ? '\n' : c;
}
