/* The PLIC (RISC-V platform-level interrupt controller), driven from the boot hart's S context. */
#include "kernel.h"

static volatile u32 *plic;
static u32 ctx;

#define PRIORITY(irq) (plic[(irq)])
#define ENABLE(c, irq) (plic[(0x2000 + 0x80 * (c)) / 4 + (irq) / 32])
#define THRESHOLD(c) (plic[(0x200000 + 0x1000 * (c)) / 4])
#define CLAIM(c) (plic[(0x200004 + 0x1000 * (c)) / 4])

void plic_init(void) {
  if (!machine.plic_base) panic("no PLIC in the device tree");
  if (machine.plic_context < 0) {
    machine.plic_context = 2 * boot_hartid + 1;
    kprintf("plic: S-mode context of hart %u not in the device tree, using %d\n", boot_hartid, machine.plic_context);
  }
  ctx = machine.plic_context;
  plic = ioremap(machine.plic_base, machine.plic_size ? machine.plic_size : 0x4000000);
  THRESHOLD(ctx) = 0;
}

void plic_enable(u32 irq) {
  PRIORITY(irq) = 1;
  ENABLE(ctx, irq) |= 1u << (irq % 32);
}

u32 plic_claim(void) { return CLAIM(ctx); }
void plic_complete(u32 irq) { CLAIM(ctx) = irq; }
