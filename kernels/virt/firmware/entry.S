/*
 * rvos-sbi entry: every hart arrives here in M-mode from the reset ROM with a0 = hartid,
 * a1 = DTB, a2 = &fw_dynamic_info. The boot hart (fw_dynamic_info.boot_hart, else hart 0)
 * clears .bss and runs fw_boot_main; the others wait for a software interrupt without touching
 * memory, then park in the HSM STOPPED loop until hart_start.
 *
 * mscratch holds the hart's M stack top while S/U code runs and 0 while M code runs, so the
 * trap entry can tell a trap from S/U (switch stacks) from a trap in the firmware itself (fatal).
 */
#include "layout.h"

#define FW_DYNAMIC_INFO_MAGIC 0x4942534f

    .option norelax

    /* Size of the per-hart stacks, for firmware.ld. */
    .globl FW_STACKS_SIZE
    .set FW_STACKS_SIZE, MAX_HARTS * STACK_SIZE

    .section .text.entry, "ax"
    .globl _start
_start:
    csrw mie, zero
    csrw mscratch, zero
    la t0, trap_entry
    csrw mtvec, t0
    li t0, MAX_HARTS
    bgeu a0, t0, park
    /* sp = top of this hart's stack */
    la sp, _stack_base
    addi t0, a0, 1
    slli t0, t0, STACK_SHIFT
    add sp, sp, t0
    mv s0, a0
    mv s1, a1
    mv s2, a2

    /* Boot hart: fw_dynamic_info.boot_hart (version >= 2) when a2 points to valid info. */
    li s3, 0
    beqz a2, 1f
    andi t0, a2, 3
    bnez t0, 1f
    lw t0, 0(a2)
    li t1, FW_DYNAMIC_INFO_MAGIC
    bne t0, t1, 1f
    lw t0, 4(a2)
    li t1, 2
    bltu t0, t1, 1f
    lw t0, 20(a2)
    li t1, MAX_HARTS
    bgeu t0, t1, 1f
    mv s3, t0
1:  bne s0, s3, secondary

    /* Boot hart: clear .bss, then C. */
    la t0, _bss_start
    la t1, _bss_end
2:  bgeu t0, t1, 3f
    sw zero, 0(t0)
    addi t0, t0, 4
    j 2b
3:  mv a0, s0
    mv a1, s1
    mv a2, s2
    call fw_boot_main
    j park

secondary:
    /* Wait for the first software interrupt (sent after the boot hart's set-up) before
     * touching memory: .bss is being cleared. */
    li t0, (1 << 3)
    csrw mie, t0
4:  wfi
    csrr t1, mip
    and t1, t1, t0
    beqz t1, 4b
    mv a0, s0
    call fw_secondary_main
park:
    csrw mie, zero
5:  wfi
    j 5b

/*
 * Trap entry. From S/U: swap to the M stack, save x1..x31 in a struct regs, call fw_trap(regs,
 * hartid), restore, mret. From M (mscratch == 0): a firmware bug; report and power off.
 */
    .text
    .balign 4
    .globl trap_entry
trap_entry:
    csrrw sp, mscratch, sp
    beqz sp, trap_from_m
    addi sp, sp, -TRAP_FRAME
    sw x1, 4(sp)
    sw x3, 12(sp)
    sw x4, 16(sp)
    sw x5, 20(sp)
    sw x6, 24(sp)
    sw x7, 28(sp)
    sw x8, 32(sp)
    sw x9, 36(sp)
    sw x10, 40(sp)
    sw x11, 44(sp)
    sw x12, 48(sp)
    sw x13, 52(sp)
    sw x14, 56(sp)
    sw x15, 60(sp)
    sw x16, 64(sp)
    sw x17, 68(sp)
    sw x18, 72(sp)
    sw x19, 76(sp)
    sw x20, 80(sp)
    sw x21, 84(sp)
    sw x22, 88(sp)
    sw x23, 92(sp)
    sw x24, 96(sp)
    sw x25, 100(sp)
    sw x26, 104(sp)
    sw x27, 108(sp)
    sw x28, 112(sp)
    sw x29, 116(sp)
    sw x30, 120(sp)
    sw x31, 124(sp)
    csrrw t0, mscratch, zero
    sw t0, 8(sp)
    mv a0, sp
    csrr a1, mhartid
    call fw_trap
    addi t0, sp, TRAP_FRAME
    csrw mscratch, t0
    lw x1, 4(sp)
    lw x3, 12(sp)
    lw x4, 16(sp)
    lw x5, 20(sp)
    lw x6, 24(sp)
    lw x7, 28(sp)
    lw x8, 32(sp)
    lw x9, 36(sp)
    lw x10, 40(sp)
    lw x11, 44(sp)
    lw x12, 48(sp)
    lw x13, 52(sp)
    lw x14, 56(sp)
    lw x15, 60(sp)
    lw x16, 64(sp)
    lw x17, 68(sp)
    lw x18, 72(sp)
    lw x19, 76(sp)
    lw x20, 80(sp)
    lw x21, 84(sp)
    lw x22, 88(sp)
    lw x23, 92(sp)
    lw x24, 96(sp)
    lw x25, 100(sp)
    lw x26, 104(sp)
    lw x27, 108(sp)
    lw x28, 112(sp)
    lw x29, 116(sp)
    lw x30, 120(sp)
    lw x31, 124(sp)
    lw sp, 8(sp)
    mret

trap_from_m:
    csrrw sp, mscratch, sp /* back to the firmware's sp; mscratch = 0 again */
    csrr a0, mhartid
    li t0, MAX_HARTS
    bgeu a0, t0, park
    /* Fresh stack: the fault may come from a bad sp. */
    la sp, _stack_base
    addi t0, a0, 1
    slli t0, t0, STACK_SHIFT
    add sp, sp, t0
    call fw_m_trap
    j park

/*
 * enter_smode(hartid, arg, addr): mret to S-mode at addr with a0 = hartid, a1 = arg, satp = 0,
 * sstatus.SIE = 0 and every other register zero. The M stack is reset (nothing M-mode is live).
 */
    .globl enter_smode
enter_smode:
    csrw mepc, a2
    li t0, (3 << 11) | (1 << 7) | (1 << 5) | (1 << 8) | (1 << 1) | (1 << 17) | (1 << 3)
    csrc mstatus, t0 /* MPP, MPIE, SPIE, SPP, SIE, MPRV, MIE */
    li t0, (1 << 11)
    csrs mstatus, t0 /* MPP = S */
    csrw satp, zero
    la t0, _stack_base
    addi t1, a0, 1
    slli t1, t1, STACK_SHIFT
    add t0, t0, t1
    csrw mscratch, t0
    li x1, 0
    li x2, 0
    li x3, 0
    li x4, 0
    li x5, 0
    li x6, 0
    li x7, 0
    li x8, 0
    li x9, 0
    li x12, 0
    li x13, 0
    li x14, 0
    li x15, 0
    li x16, 0
    li x17, 0
    li x18, 0
    li x19, 0
    li x20, 0
    li x21, 0
    li x22, 0
    li x23, 0
    li x24, 0
    li x25, 0
    li x26, 0
    li x27, 0
    li x28, 0
    li x29, 0
    li x30, 0
    li x31, 0
    mret

/* run_on_stack(hartid, fn): call fn(hartid) on a fresh M stack (fn does not return). */
    .globl run_on_stack
run_on_stack:
    la sp, _stack_base
    addi t0, a0, 1
    slli t0, t0, STACK_SHIFT
    add sp, sp, t0
    jalr a1
    j park
