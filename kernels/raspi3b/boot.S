/* Entry at 0x80000 for every core, whichever way it got here:
 *  - raw kernel8.img on QEMU raspi3b (and the Pi firmware with kernel_old=0): core 0 enters at
 *    EL2; cores 1-3 wait in the firmware's spin loop until their slot in the spin table
 *    (0xe0/0xe8/0xf0) is non-zero and an SEV wakes them, then branch here, also at EL2;
 *  - ELF on QEMU: all four cores start here at once, at EL3.
 * Each core drops to EL1h with interrupts masked and takes its own stack; core 0 zeroes BSS,
 * builds the translation tables, turns its MMU on and runs main() at the kernel's virtual
 * address (it is linked at 0xffffff8000080000, loaded at 0x80000); the others wait (cpu_turn != 0
 * means the tables are built and the console is up), turn their MMU on and run
 * secondary_main(). The core id is MPIDR_EL1.Aff0, the entry EL CurrentEL[3:2]. */
#define STACK_SHIFT 14 /* 16 KiB per core */
#define KERNEL_OFFSET 0xffffff8000000000 /* virtual = physical + this (TTBR1, mmu.h) */
#define MAIR_VALUE 0xff00           /* attr0 Device-nGnRnE, attr1 Normal write-back */
/* T0SZ = T1SZ = 25 (39-bit VAs), IRGN/ORGN write-back, inner shareable walks, TG1 4 KiB, IPS 4 GiB */
#define TCR_VALUE 0x00000000b5193519
#define SCTLR_M (1 << 0)
#define SCTLR_C (1 << 2)
#define SCTLR_I (1 << 12)

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

/* Still at the physical address with the MMU off: only PC-relative addressing (ADRP/ADR) until
 * the jump to the kernel's virtual addresses (KERNEL_OFFSET + physical, TTBR1). */
el1_entry:
  adrp x0, __stacks_end
  add x0, x0, :lo12:__stacks_end
  lsl x1, x19, #STACK_SHIFT
  sub x0, x0, x1
  mov sp, x0
  cbnz x19, secondary

  adrp x0, __bss_start
  add x0, x0, :lo12:__bss_start
  adrp x1, __bss_end
  add x1, x1, :lo12:__bss_end
1:cmp x0, x1
  b.hs 2f
  str xzr, [x0], #8
  b 1b
2:adrp x0, entry_el
  str x20, [x0, :lo12:entry_el]
  bl mmu_build_tables         /* C, position-independent: run at the physical address */
  bl mmu_on
  ldr x0, =main               /* the linked (virtual) address */
  blr x0
  b park

secondary:
  adrp x0, cpu_turn
  add x0, x0, :lo12:cpu_turn
3:ldr x1, [x0]
  cbnz x1, 4f
  wfe
  b 3b
4:bl mmu_on                   /* core 0 built the tables before it set cpu_turn */
  mov x0, x19
  mov x1, x20
  ldr x2, =secondary_main
  blr x2
  b park

/* Turns this core's MMU on with the kernel's tables in TTBR1 and, for the jump, in TTBR0 (the
 * identity map: the next instruction is fetched at its physical address), then moves SP and
 * the return address to the virtual addresses. Tables, MAIR and TCR as mmu.c describes. */
mmu_on:
  adrp x0, kernel_l1_table
  msr ttbr0_el1, x0
  msr ttbr1_el1, x0
  ldr x0, =MAIR_VALUE
  msr mair_el1, x0
  ldr x0, =TCR_VALUE
  msr tcr_el1, x0
  isb
  tlbi vmalle1
  dsb nsh
  isb
  mrs x0, sctlr_el1
  orr x0, x0, #SCTLR_M
  orr x0, x0, #SCTLR_C
  orr x0, x0, #SCTLR_I
  msr sctlr_el1, x0
  isb
  ldr x0, =KERNEL_OFFSET
  add sp, sp, x0
  add x30, x30, x0
  ret

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
