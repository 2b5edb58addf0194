/* The 8254 PIT's channel 0 at TICK_HZ (100 Hz) on IRQ 0: mode 2 (rate generator), divisor
 * 1193182 / 100, low byte then high byte (8254 datasheet, control word 0x34). */
#include "pc.h"

void pit_init(void) {
  unsigned divisor = (1193182 + TICK_HZ / 2) / TICK_HZ;
  outb(0x43, 0x34);
  outb(0x40, (uint8_t)divisor);
  outb(0x40, (uint8_t)(divisor >> 8));
  pic_unmask(0);
}
