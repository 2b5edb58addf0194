/* PL011 UART0 on GPIO 14/15, set up as the classic Pi 3 bare-metal code does: UART clock fixed
 * at 4 MHz through the mailbox so the divisors are known (4e6 / (16 * 115200) = 2.17: IBRD 2,
 * FBRD round(0.17 * 64) = 11), pins to ALT0 with pulls off, 8N1 with FIFOs; polled, then interrupt-driven receive once the shell runs. */
#include "proc.h"

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

/* Receive interrupts (once the shell runs): the PL011's RX and receive-timeout interrupts
 * (UART0_IMSC RXIM, RTIM; QEMU raises RX for every character, hardware at the FIFO level, RT
 * for what is left), IRQ 57 of the BCM2835 interrupt controller (enable/pending 2, bit 25),
 * routed to core 0 by the local controller's GPU routing (0x4000000C = 0). The handler moves
 * the FIFO to a ring buffer and wakes the shell. */
#define IMSC_RXIM (1u << 4)
#define IMSC_RTIM (1u << 6)
#define IRQ_PENDING2 (MMIO_BASE + 0xB208)
#define IRQ_ENABLE2 (MMIO_BASE + 0xB214)
#define UART0_IRQ_BIT (1u << (57 - 32))
#define GPU_INT_ROUTING (LOCAL_BASE + 0x0C)
#define RX_RING 256

static volatile char rx_ring[RX_RING];
static volatile unsigned rx_head, rx_tail; /* written by the handler / by the reader */
static int rx_irq;

void uart_enable_rx_irq(void) {
  mmio_write(GPU_INT_ROUTING, 0);
  /* No ICR here: characters that arrived while the interrupts were masked (a piped script fills
   * the FIFO at once) left RX raw-pending, so the interrupt comes as soon as it is unmasked. Clearing
   * it would leave a full FIFO that never interrupts again, on QEMU as on hardware. */
  mmio_write(UART0_IMSC, IMSC_RXIM | IMSC_RTIM);
  mmio_write(IRQ_ENABLE2, UART0_IRQ_BIT);
  rx_irq = 1;
}

/* From the IRQ handler: 1 if the PL011 was interrupting. When the ring is full the receive
 * interrupts are masked and the rest stays in the FIFO (the sender is held back, nothing is
 * lost) until the reader has made room. */
int uart_irq(void) {
  if (!(mmio_read(IRQ_PENDING2) & UART0_IRQ_BIT)) return 0;
  while (rx_head - rx_tail < RX_RING && !(mmio_read(UART0_FR) & FR_RXFE))
    rx_ring[rx_head++ % RX_RING] = (char)(mmio_read(UART0_DR) & 0xFF); /* reading clears RX */
  if (rx_head - rx_tail == RX_RING) mmio_write(UART0_IMSC, 0);
  mmio_write(UART0_ICR, IMSC_RTIM);
  proc_wake_shell();
  return 1;
}

static int rx_available(void *arg) { return rx_head != rx_tail; }

int uart_getc(void) {
  int c;
  if (rx_irq) {
    shell_wait(rx_available, 0);
    c = rx_ring[rx_tail % RX_RING];
    rx_tail++;
    mmio_write(UART0_IMSC, IMSC_RXIM | IMSC_RTIM); /* again, if a full ring masked them */
  } else {
    while (mmio_read(UART0_FR) & FR_RXFE) {}
    c = mmio_read(UART0_DR) & 0xFF;
  }
  return c == '\r' ? '\n' : c;
}
