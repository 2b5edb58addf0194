/*
 * ns16550a receive side: console input arrives by interrupt (PLIC) in S-mode. Output goes
 * through the SBI console (the firmware owns the transmitter).
 */
#include "kernel.h"

#define RBR 0
#define IER 1
#define MCR 4
#define LSR 5
#define LSR_DR 0x01
#define IER_RDI 0x01

int uart_ok;
static volatile u8 *uart;

void uart_init(void) {
  if (!machine.uart_base || !machine.plic_base) return;
  uart = ioremap(machine.uart_base, 0x100);
  uart[MCR] = 0x0b;     /* DTR, RTS, OUT2 (the interrupt gate on PC-style boards) */
  uart[IER] = IER_RDI;  /* interrupt when a character arrives */
  plic_enable(machine.uart_irq);
  uart_ok = 1;
  uart_intr(); /* characters typed before now */
}

void uart_intr(void) {
  while (uart[LSR] & LSR_DR) console_intr(uart[RBR]);
}
