/* The Pi 3 reference kernel: console, mailbox, exception vectors, the secondary cores, the MMU,
 * the timer tick, and a shell whose shutdown powers off through semihosting. */
#include "rpi.h"
#include "mmu.h"
#include "proc.h"

#define TAG_BOARD_REVISION 0x00010002u
#define TAG_ARM_MEMORY 0x00010005u
#define NCPUS 4
/* The spin table QEMU and the Pi firmware (armstub8) give cores 1-3: 0xd8 + 8 * core. */
#define SPIN_TABLE 0xd8UL

extern char _start[];

/* The cores wait with their MMU off: they need the physical entry point, and the writes must
 * reach memory past this core's cache (DC CIVAC; QEMU has no caches, a Pi has). */
static void publish(volatile uint64_t *p, uint64_t value) {
  *p = value;
  __asm__ volatile("dc civac, %0; dsb sy" ::"r"(p) : "memory");
}

static void release_spin_table(void) {
  for (unsigned core = 1; core < NCPUS; core++) publish(VA(SPIN_TABLE + 8 * core), PA(_start));
  __asm__ volatile("sev");
}

static uint64_t current_el(void) { return (read_sysreg(CurrentEL) >> 2) & 3; }

/* Cores 1-3 (boot.S): print in core order, one at a time, then park. */
void secondary_main(uint64_t core, uint64_t el_at_entry) {
  while (cpu_turn != core) __asm__ volatile("wfe");
  printf("cpu %lu: EL%lu, entered at EL%lu\n", core, current_el(), el_at_entry);
  dsb();
  cpu_turn = core + 1;
  dsb();
  __asm__ volatile("sev");
}

/* Waits for cores 1-3 to report, giving up after ~1 s of the generic counter. */
static void start_secondaries(void) {
  if (entry_el < 3) release_spin_table(); /* from an ELF they are already running */
  publish(&cpu_turn, 1);
  __asm__ volatile("sev");
  uint64_t freq = read_sysreg(cntfrq_el0), t0 = read_sysreg(cntpct_el0);
  if (!freq) freq = 62500000;
  while (cpu_turn != NCPUS) {
    if (read_sysreg(cntpct_el0) - t0 > freq) {
      printf("smp: cpu %lu did not report in\n", cpu_turn);
      return;
    }
  }
  printf("smp: %d cores up\n", NCPUS);
}

void main(void) {
  uart_init();
  printf("\nrvos raspi3b reference kernel\n");
  uint32_t rev, base, size;
  if (mbox_get_u32(TAG_BOARD_REVISION, &rev))
    printf("board revision: 0x%08x\n", rev);
  else
    printf("board revision: mailbox error\n");
  printf("cpu 0: EL%lu, entered at EL%lu\n", current_el(), entry_el);
  if (mbox_get_u32x2(TAG_ARM_MEMORY, &base, &size))
    printf("ARM memory: 0x%08x-0x%08x (%u MiB)\n", base, base + size - 1, size >> 20);
  else
    printf("ARM memory: mailbox error\n");
  printf("generic timer: CNTFRQ_EL0=%lu Hz\n", read_sysreg(cntfrq_el0));
  exceptions_init();
  exceptions_test();
  start_secondaries();
  mmu_init();
  mmu_test();
  if (sd_init() && fs_mount())
    printf("programs: /bin on the SD card\n");
  else
    printf("programs: built into the kernel\n");
  proc_init();
  timer_init();
  uart_enable_rx_irq();
  __asm__ volatile("msr daifclr, #2" ::: "memory"); /* IRQs on: the timer ticks from now */
  shell();
  printf("power off\n");
  semihost_exit(0);
}
