/* Kernel start-up: SBI, device tree, memory, paging, traps, devices, file system, init. */
#include "kernel.h"

extern char __kernel_start[], _end[];
u32 boot_hartid;

static void print_machine(void) {
  struct machine *m = &machine;
  kprintf("machine: %s, %d hart%s, timebase %u Hz\n", m->model[0] ? m->model : "(no model)", m->nharts,
          m->nharts == 1 ? "" : "s", m->timebase);
  if (m->nharts > 1 && sbi_has_hsm) {
    /* Only the boot hart runs the kernel; the others stay where the firmware keeps them. */
    kprintf("harts:");
    for (int i = 0; i < m->nharts && i < (int)(sizeof m->hartids / sizeof m->hartids[0]); i++) {
      long st = m->hartids[i] == boot_hartid ? 0 : sbi_hart_status(m->hartids[i]);
      kprintf(" %u %s", m->hartids[i], m->hartids[i] == boot_hartid ? "(boot)" : st == 1 ? "stopped" : st == 0 ? "started" : "?");
      if (i + 1 < m->nharts) kprintf(",");
    }
    kprintf("\n");
  }
  kprintf("memory: %u MiB at 0x%08x\n", m->ram_size >> 20, m->ram_base);
  for (int i = 0; i < m->nresv; i++)
    kprintf("reserved: 0x%08x-0x%08x%s\n", m->resv[i].base, m->resv[i].base + m->resv[i].size - 1,
            m->resv[i].nomap ? " (no-map)" : "");
}

void kmain(u32 hartid, const void *dtb) {
  boot_hartid = hartid;
  sbi_init();
  kprintf("\nrvos teaching kernel (riscv32, S-mode), boot hart %u\n", hartid);
  if (sbi_spec_version)
    kprintf("sbi: v%u.%u, implementation 0x%x version 0x%x;%s%s%s%s\n", (sbi_spec_version >> 24) & 0x7f,
            sbi_spec_version & 0xffffff, sbi_impl_id, sbi_impl_version, sbi_has_dbcn ? " DBCN" : "",
            sbi_has_time ? " TIME" : "", sbi_has_srst ? " SRST" : "", sbi_has_hsm ? " HSM" : "");
  else
    kprintf("sbi: legacy (v0.1)\n");

  if (fdt_parse(dtb, hartid, &machine) < 0) panic("no device tree at %p (a1)", dtb);
  if (!machine.ram_size) panic("no /memory node in the device tree");
  if (!machine.timebase) panic("no timebase-frequency in /cpus");
  if (machine.ram_base + machine.ram_size > IO_BASE || machine.ram_base + machine.ram_size < machine.ram_base) {
    machine.ram_size = IO_BASE - machine.ram_base; /* the rest would collide with the ioremap window */
  }
  print_machine();
  /* Firmware normally reserves its own memory; if the tree does not say, keep away from
   * everything below the kernel. */
  int fw_covered = 0;
  for (int i = 0; i < machine.nresv; i++)
    if (machine.resv[i].base <= machine.ram_base && machine.resv[i].base + machine.resv[i].size > machine.ram_base)
      fw_covered = 1;
  if (!fw_covered && (u32)__kernel_start > machine.ram_base && machine.nresv < MAX_REGIONS) {
    machine.resv[machine.nresv++] = (struct region){machine.ram_base, (u32)__kernel_start - machine.ram_base, 0};
    kprintf("reserved: 0x%08x-0x%08x (below the kernel: firmware did not reserve its memory)\n", machine.ram_base,
            (u32)__kernel_start - 1);
  }

  kinit();
  kprintf("kernel: 0x%08x-0x%08x\n", (u32)__kernel_start, (u32)_end - 1);
  kvm_init();
  kprintf("paging: Sv32 on\n");
  trap_init();
  plic_init();
  uart_init();
  if (!uart_ok) kprintf("console: no UART, polling the SBI for input\n");
  if (virtio_probe() < 0) panic("no virtio block device");
  if (fs_init() < 0) panic("cannot mount the root file system");
  user_init();
  scheduler();
}
