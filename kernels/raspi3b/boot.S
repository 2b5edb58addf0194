/* Entry at 0x80000 for every core, whichever way it got here:
 *  - raw kernel8.img on QEMU raspi3b (and the Pi firmware with kernel_old=0): core 0 enters at
 *    EL2; cores 1-3 wait in the firmware's spin loop until their slot in the spin table
 *    (0xe0/0xe8/0xf0) is non-zero and an SEV wakes them, then branch here, also at EL2;
 *  - ELF on QEMU: all four cores start here at once, at EL3.
 * Each core drops to EL1h with interrupts masked and takes its own stack; core 0 zeroes BSS and
 * runs main(); the others wait (cpu_turn != 0 means BSS is zeroed and the console is up) and run
 * secondary_main(). The core id is MPIDR_EL1.Aff0, the entry EL CurrentEL[3:2]. */
#define STACK_SHIFT 14 /* 16 KiB per core */

#define SCR_NS (1 << 0)
#define SCR_RES1 (3 << 4)
#define SCR_RW (1 << 10) /* the next lower EL is AArch64 */
#define HCR_RW (1 << 31) /* EL1 is AArch64 */
#define SPSR_EL1H_DAIF 0x3c5 /* D, A, I, F masked; M = EL1h */
/* SCTLR_EL1 with its RES1 bits (11, 20, 22, 23, 28, 29): MMU, caches, alignment checks off. */
#define SCTLR_EL1_BOOT 0x30d00800

  .section .text.boot, "ax"
  .globl _start
_start:
  mrs x19, mpidr_el1
  and x19, x19, #3            /* x19 = core id */
  mrs x20, CurrentEL
  ubfx x20, x20, #2, #2       /* x20 = entry EL */

  ldr x0, =SCTLR_EL1_BOOT
  msr sctlr_el1, x0
  mov x0, #(3 << 20)          /* CPACR_EL1.FPEN: no FP/SIMD traps at EL1/EL0 */
  msr cpacr_el1, x0
  cmp x20, #3
  b.eq from_el3
  cmp x20, #2
  b.eq from_el2
  b el1_entry

from_el3:
  ldr x0, =(SCR_NS | SCR_RES1 | SCR_RW)
  msr scr_el3, x0
  mov x0, #HCR_RW             /* EL2 exists (non-secure) and decides EL1's width even when skipped */
  msr hcr_el2, x0
  mov x0, #3                  /* CNTHCTL_EL2 still gates EL1's timer access when EL2 is skipped */
  msr cnthctl_el2, x0
  msr cntvoff_el2, xzr
  mov x0, #SPSR_EL1H_DAIF
  msr spsr_el3, x0
  adr x0, el1_entry
  msr elr_el3, x0
  eret

from_el2:
  mov x0, #HCR_RW
  msr hcr_el2, x0
  mrs x0, cnthctl_el2
  orr x0, x0, #3              /* EL1PCTEN, EL1PCEN: EL1 may use the physical counter and timer */
  msr cnthctl_el2, x0
  msr cntvoff_el2, xzr
  mov x0, #SPSR_EL1H_DAIF
  msr spsr_el2, x0
  adr x0, el1_entry
  msr elr_el2, x0
  eret

el1_entry:
  ldr x0, =__stacks_end
  lsl x1, x19, #STACK_SHIFT
  sub x0, x0, x1
  mov sp, x0
  cbnz x19, secondary

  ldr x0, =__bss_start
  ldr x1, =__bss_end
1:cmp x0, x1
  b.hs 2f
  str xzr, [x0], #8
  b 1b
2:ldr x0, =entry_el
  str x20, [x0]
  bl main
  b park

secondary:
  ldr x0, =cpu_turn
3:ldr x1, [x0]
  cbnz x1, 4f
  wfe
  b 3b
4:mov x0, x19
  mov x1, x20
  bl secondary_main
/* WFI, not WFE: with interrupts masked and none routed here it sleeps for good, where a WFE
 * loop keeps waking (QEMU's TCG treats WFE as a yield: the vCPU spins and takes host time from
 * core 0, whose timer ticks then come late). */
park:
  wfi
  b park

  .section .data
  .balign 8
  .globl entry_el, cpu_turn
entry_el: .quad 0
/* Whose turn it is to print: 0 before core 0 is ready, then 1, 2, 3, and 4 once all reported.
 * In .data, not .bss: secondaries started by an ELF read it before core 0 zeroes BSS. */
cpu_turn: .quad 0
