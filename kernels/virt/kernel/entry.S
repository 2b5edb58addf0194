/*
 * Kernel entry (S-mode, a0 = hartid, a1 = DTB, as SBI firmware hands over), the trap vector and
 * the context switch.
 *
 * Trap frames: sscratch holds the address of the running process' trap frame (at the top of its
 * kernel stack) while the hart is in U-mode, and 0 while it is in S-mode. The vector swaps sp with
 * sscratch: a non-zero result means the trap came from U-mode and sp now points at the process'
 * frame; zero means the kernel trapped, and a frame is pushed on the current kernel stack.
 */
#define FRAME 144   /* struct trapframe: x0..x31, sepc, sstatus, scause, stval */

    .section .text.entry, "ax"
    .globl _entry
_entry:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    /* Only one hart runs the kernel; any other hart the firmware started here parks. */
    la t0, boot_lottery
    li t1, 1
    amoswap.w t1, t1, (t0)
    bnez t1, park
    csrw sie, zero
    csrw sscratch, zero
    la sp, boot_stack_top
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sw zero, 0(t0)
    addi t0, t0, 4
    j 1b
2:  la t0, trap_vector
    csrw stvec, t0
    call kmain
park:
    csrw sie, zero
3:  wfi
    j 3b

    .data
    .balign 4
boot_lottery: .word 0

    .text
    .balign 4
    .globl trap_vector
trap_vector:
    csrrw sp, sscratch, sp
    bnez sp, 1f
    /* From S-mode: back to the kernel stack (sscratch is 0 again), push a frame. */
    csrrw sp, sscratch, sp
    addi sp, sp, -FRAME
    /* From U-mode: sp = this process' trap frame; the user sp is in sscratch. */
1:  sw x1, 4(sp)
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
    csrr t0, sstatus
    andi t1, t0, 0x100      /* SPP: 1 = from S-mode */
    bnez t1, 3f
    csrr t1, sscratch       /* user sp */
    sw t1, 8(sp)
    csrw sscratch, zero     /* now in the kernel */
    j 4f
3:  addi t1, sp, FRAME      /* kernel sp before the trap */
    sw t1, 8(sp)
4:  csrr t1, sepc
    sw t1, 128(sp)
    sw t0, 132(sp)
    csrr t1, scause
    sw t1, 136(sp)
    csrr t1, stval
    sw t1, 140(sp)
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    mv a0, sp
    call trap_handler
    /* fall through: return with the frame in sp */

/* trap_return(frame): restore a frame and sret. For a return to U-mode, sscratch = frame. */
    .globl trap_return
trap_return_sp:
    mv a0, sp
trap_return:
    mv sp, a0
    lw t0, 132(sp)
    csrw sstatus, t0
    lw t1, 128(sp)
    csrw sepc, t1
    andi t0, t0, 0x100
    bnez t0, 5f
    csrw sscratch, sp
5:  lw x1, 4(sp)
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
    lw x2, 8(sp)
    sret

/* swtch(struct context *old, struct context *new): save callee-saved registers, load new ones. */
    .globl swtch
swtch:
    sw ra, 0(a0)
    sw sp, 4(a0)
    sw s0, 8(a0)
    sw s1, 12(a0)
    sw s2, 16(a0)
    sw s3, 20(a0)
    sw s4, 24(a0)
    sw s5, 28(a0)
    sw s6, 32(a0)
    sw s7, 36(a0)
    sw s8, 40(a0)
    sw s9, 44(a0)
    sw s10, 48(a0)
    sw s11, 52(a0)
    lw ra, 0(a1)
    lw sp, 4(a1)
    lw s0, 8(a1)
    lw s1, 12(a1)
    lw s2, 16(a1)
    lw s3, 20(a1)
    lw s4, 24(a1)
    lw s5, 28(a1)
    lw s6, 32(a1)
    lw s7, 36(a1)
    lw s8, 40(a1)
    lw s9, 44(a1)
    lw s10, 48(a1)
    lw s11, 52(a1)
    ret

    .bss
    .balign 16
    .space 16384
    .globl boot_stack_top
boot_stack_top:
