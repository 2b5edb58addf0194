/*
 * rvos-sbi: boot flow, per-hart M-mode set-up, trap dispatch.
 */
#include "fw.h"

struct hart harts[MAX_HARTS];
struct platform plat;

/* Exceptions handled by S-mode directly: misaligned/access faults of every kind, illegal
 * instruction, breakpoint, ecall from U, page faults. M keeps ecall from S (the SBI). */
#define MEDELEG                                                                                    \
  ((1u << 0) | (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 7) | \
   (1u << 8) | (1u << 12) | (1u << 13) | (1u << 15))

#define PMP_R 0x01
#define PMP_W 0x02
#define PMP_X 0x04
#define PMP_NAPOT 0x18

void system_poweroff(u32 value) {
  mb();
  *SIFIVE_TEST = value;
  for (;;) wfi();
}

void hart_init(u32 hartid) {
  csr_write(mtvec, (u32)trap_entry);
  csr_write(mie, 0);
  csr_clear(mstatus, MSTATUS_MIE | MSTATUS_SIE | MSTATUS_MPRV);
  csr_write(medeleg, MEDELEG);
  csr_write(mideleg, S_INTERRUPTS);
  csr_write(mcounteren, 0x7); /* cycle, time, instret readable from S */
  /* PMP: entry 0 (highest priority) = the firmware, no access from S/U; entry 1 = everything,
   * RWX. M-mode is not restricted (no entry is locked). */
  csr_write(pmpaddr0, (RVOS_SBI_BASE >> 2) | ((RVOS_SBI_SIZE >> 3) - 1));
  csr_write(pmpaddr1, 0xffffffffu);
  csr_write(pmpcfg0, (PMP_NAPOT) | ((PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 8));
  csr_write(pmpcfg1, 0);
  csr_write(pmpcfg2, 0);
  csr_write(pmpcfg3, 0);
  /* No timer until the kernel asks for one. */
  CLINT_MTIMECMP(hartid)[0] = 0xffffffffu;
  CLINT_MTIMECMP(hartid)[1] = 0xffffffffu;
  csr_clear(mip, MIP_SSIP | MIP_STIP);
  __asm__ volatile("sfence.vma\n\tfence.i" ::: "memory");
}

static const struct fw_dynamic_info *dynamic_info(u32 a2) {
  if (!a2 || (a2 & 3)) return 0;
  const struct fw_dynamic_info *info = (const void *)a2;
  return info->magic == FW_DYNAMIC_INFO_MAGIC && info->version >= 1 ? info : 0;
}

void fw_boot_main(u32 hartid, void *dtb, u32 a2) {
  console_init();
  plat.boot_hart = hartid;
  plat.hart_mask = 1u << hartid;
  plat.ram_base = 0x80000000u;
  plat.ram_end = 0x88000000u;
  int have_dtb = fdt_valid(dtb);
  if (have_dtb) {
    struct fdt_info fi;
    fdt_scan(dtb, &fi);
    plat.hart_mask |= fi.hart_mask;
    if (fi.have_memory && fi.ram_size) {
      plat.ram_base = fi.ram_base;
      plat.ram_end = fi.ram_base + fi.ram_size < fi.ram_base ? 0xfffff000u : fi.ram_base + fi.ram_size;
    }
  }
  plat.nharts = __builtin_popcount(plat.hart_mask);
  for (u32 h = 0; h < MAX_HARTS; h++) harts[h].state = SBI_HSM_STATE_STOPPED;
  harts[hartid].state = SBI_HSM_STATE_STARTED;

  const struct fw_dynamic_info *info = dynamic_info(a2);
  u32 next = info ? info->next_addr : DEFAULT_NEXT_ADDR;

  hart_init(hartid);
  int reserved = have_dtb && fdt_reserve_firmware(dtb, RVOS_SBI_BASE, RVOS_SBI_SIZE, plat.ram_end) == 0;

  /* fw_dynamic_info.options bit 0: no boot prints (OpenSBI's SBI_SCRATCH_NO_BOOT_PRINTS). */
  int quiet = info && (info->options & FW_DYNAMIC_OPTION_NO_BOOT_PRINTS);
  if (!quiet) {
    fw_printf("rvos-sbi v%u.%u (SBI v2.0): %u hart%s, boot hart %u, next 0x%08x (S-mode)%s\n",
              RVOS_SBI_IMPL_VERSION >> 16, RVOS_SBI_IMPL_VERSION & 0xffff, plat.nharts,
              plat.nharts == 1 ? "" : "s", hartid, next, info ? "" : " [no fw_dynamic_info]");
  }
  if (!have_dtb) fw_printf("rvos-sbi: warning: no device tree at a1 (0x%08x)\n", (u32)dtb);
  if (info && info->next_mode != FW_DYNAMIC_NEXT_MODE_S)
    fw_printf("rvos-sbi: warning: next_mode %u unsupported, using S-mode\n", info->next_mode);
  if (!quiet) {
    fw_printf("rvos-sbi: firmware 0x%08x-0x%08x protected by PMP%s\n", RVOS_SBI_BASE,
              RVOS_SBI_BASE + RVOS_SBI_SIZE - 1,
              reserved ? ", in /reserved-memory" : have_dtb ? " (DTB fix-up failed)" : "");
  }
  if (!addr_ok_for_s(next, 4)) {
    fw_printf("rvos-sbi: no kernel to boot: next address 0x%08x is not RAM outside the firmware\n", next);
    system_poweroff(RVOS_SBI_EXIT_NO_KERNEL << 16 | FINISHER_FAIL);
  }
  csr_write(mie, MIP_MSIP); /* IPIs and remote fences; MTIE comes with set_timer */
  enter_smode(hartid, (u32)dtb, next);
}

void fw_secondary_main(u32 hartid) {
  if (!(plat.hart_mask & (1u << hartid))) {
    csr_write(mie, 0);
    for (;;) wfi();
  }
  hart_init(hartid);
  hsm_stopped_loop(hartid);
}

static const char *const mode_names[] = {"U", "S", "?", "M"};

static void fatal_trap(u32 hartid, const char *what) {
  u32 mstatus = csr_read(mstatus);
  fw_printf_unlocked("rvos-sbi: hart %u: %s: mcause 0x%08x mepc 0x%08x mtval 0x%08x (from %s-mode)\n", hartid, what,
                     csr_read(mcause), csr_read(mepc), csr_read(mtval), mode_names[(mstatus >> 11) & 3]);
  system_poweroff(RVOS_SBI_EXIT_TRAP << 16 | FINISHER_FAIL);
}

void fw_trap(struct regs *r, u32 hartid) {
  u32 cause = csr_read(mcause);
  if ((s32)cause < 0) {
    switch (cause & 0x7fffffff) {
    case 3:
      ipi_interrupt(hartid);
      return;
    case 7:
      timer_interrupt();
      return;
    default:
      fatal_trap(hartid, "unexpected interrupt");
    }
  }
  if (cause == 9) {
    sbi_ecall(r, hartid);
    return;
  }
  fatal_trap(hartid, "unhandled trap");
}

void fw_m_trap(u32 hartid) { fatal_trap(hartid, "trap in the firmware"); }

/* The compiler may emit calls to these for copies and clears. */
void *memset(void *d, int c, unsigned long n) {
  u8 *p = d;
  while (n--) *p++ = (u8)c;
  return d;
}

void *memcpy(void *d, const void *s, unsigned long n) {
  u8 *p = d;
  const u8 *q = s;
  while (n--) *p++ = *q++;
  return d;
}
