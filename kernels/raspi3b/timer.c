/* The EL1 physical timer (CNTP, Arm ARM D11.2) as the kernel tick: TICK_HZ interrupts a second.
 * Its interrupt reaches core 0 through the BCM2836 local interrupt controller: "Core 0 timers
 * interrupt control" (0x40000040) bit 1 enables nCNTPNSIRQ as an IRQ, and "Core 0 IRQ source"
 * (0x40000060) bit 1 says it is pending (QA7_rev3.4, sections 4.6 and 4.10). */
#include "rpi.h"

#define CORE0_TIMER_IRQCNTL (LOCAL_BASE + 0x40)
#define CORE0_IRQ_SOURCE (LOCAL_BASE + 0x60)
#define CNTPNSIRQ (1u << 1)
#define CNT_ENABLE 1u

volatile uint64_t ticks;
static uint64_t interval;

void timer_init(void) {
  interval = read_sysreg(cntfrq_el0) / TICK_HZ;
  __asm__ volatile("msr cntp_tval_el0, %0; msr cntp_ctl_el0, %1; isb" ::"r"(interval), "r"((uint64_t)CNT_ENABLE));
  mmio_write(CORE0_TIMER_IRQCNTL, CNTPNSIRQ);
  printf("timer: CNTP at %u Hz through the local interrupt controller (0x%lx)\n", TICK_HZ, PA(CORE0_TIMER_IRQCNTL));
}

/* From the IRQ handler: 1 if it was the timer (counted and re-armed one interval from now, so a
 * slow host loses ticks rather than storming), 0 otherwise. */
int timer_irq(void) {
  if (!(mmio_read(CORE0_IRQ_SOURCE) & CNTPNSIRQ)) return 0;
  __asm__ volatile("msr cntp_tval_el0, %0; isb" ::"r"(interval));
  ticks++;
  return 1;
}

/* Waits n ticks with WFI (interrupts must be on): the timer wakes the core. */
void wait_ticks(uint64_t n) {
  uint64_t until = ticks + n;
  while (ticks < until) __asm__ volatile("wfi");
}
