/* Reset and power-off through the BCM2835 power management block's watchdog (PM, 0x3F100000),
 * as Linux's bcm2835_wdt does: every write carries the password 0x5a in bits 31:24; RSTS bits
 * 0, 2, 4, 6, 8, 10 hold the partition to boot next (63 = halt, which the Pi firmware treats as
 * power-off); WDOG is the countdown in ~16 us ticks; RSTC WRCFG = full reset when it expires.
 * QEMU 7.2 acts on the RSTC write at once: shutdown for partition 63, else reset. */
#include "rpi.h"

#define PM_RSTC (MMIO_BASE + 0x10001c)
#define PM_RSTS (MMIO_BASE + 0x100020)
#define PM_WDOG (MMIO_BASE + 0x100024)
#define PM_PASSWORD 0x5a000000u
#define PM_RSTC_WRCFG_CLR 0xffffffcfu
#define PM_RSTC_WRCFG_FULL_RESET 0x00000020u
#define PM_RSTS_PARTITION_CLR 0xfffffaaau
#define PARTITION_HALT 0x555u /* partition 63, its bits spread over 0, 2, ..., 10 */
#define WDOG_TICKS 10

static void __attribute__((noreturn)) watchdog_reset(uint32_t partition) {
  mmio_write(PM_RSTS, PM_PASSWORD | (mmio_read(PM_RSTS) & PM_RSTS_PARTITION_CLR) | partition);
  mmio_write(PM_WDOG, PM_PASSWORD | WDOG_TICKS);
  mmio_write(PM_RSTC, PM_PASSWORD | (mmio_read(PM_RSTC) & PM_RSTC_WRCFG_CLR) | PM_RSTC_WRCFG_FULL_RESET);
  for (;;) __asm__ volatile("wfi"); /* until the watchdog fires */
}

void pm_power_off(void) { watchdog_reset(PARTITION_HALT); }
void pm_reboot(void) { watchdog_reset(0); }
