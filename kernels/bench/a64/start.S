/* Entry at 0x80000 at whatever EL the loader chose (QEMU raspi3b starts an ELF on all four cores
 * at EL3; rvos' bench board starts core 0 only). Core 0 takes the stack, zeroes .bss, runs main()
 * and exits through semihosting with its return value; the others park in WFI. MMU and caches stay off:
 * the C code is built with -mstrict-align since Device memory faults unaligned accesses. */
  .section .text.boot, "ax"
  .globl _start
_start:
  mrs x0, mpidr_el1
  tst x0, #0xff
  b.ne park
  ldr x0, =__stack_top
  mov sp, x0
  ldr x0, =__bss_start
  ldr x1, =__bss_end
1:cmp x0, x1
  b.hs 2f
  str xzr, [x0], #8
  b 1b
2:bl main
  bl bench_exit
/* WFI, not WFE: QEMU sleeps a vCPU in WFI (no interrupt is enabled, so for good) but treats WFE
 * as a yield, and three spinning cores would take host time from core 0. */
park:
  wfi
  b park
