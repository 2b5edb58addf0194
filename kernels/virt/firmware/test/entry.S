/*
 * sbi-test entry points (S-mode). _start: the boot hart from the firmware (a0 = hartid,
 * a1 = DTB); secondary_start: harts started with HSM hart_start (a1 = opaque); resume_start:
 * return from a non-retentive HSM suspend (a1 = opaque). Each sets the hart's stack and stvec.
 */
#define TEST_MAX_HARTS 8

    .option norelax

.macro HART_STACK
    li t0, TEST_MAX_HARTS
1:  bgeu a0, t0, 1b /* no stack for this hart: spin */
    la sp, _stack_base
    addi t0, a0, 1
    slli t0, t0, 12
    add sp, sp, t0
    la t0, s_trap_entry
    csrw stvec, t0
.endm

    .section .text.entry, "ax"
    .globl _start
_start:
    HART_STACK
    /* .bss is cleared by the loaders, but not after a reboot on QEMU: clear it. */
    la t0, _bss_start
    la t1, _bss_end
2:  bgeu t0, t1, 3f
    sw zero, 0(t0)
    addi t0, t0, 4
    j 2b
3:  call main
4:  j 4b

    .text
    .globl secondary_start
secondary_start:
    HART_STACK
    call secondary_main
5:  j 5b

    .globl resume_start
resume_start:
    HART_STACK
    call resume_main
6:  j 6b

/* S trap entry: save the caller-saved registers, s_trap(frame) may change sepc, sret. */
    .balign 4
    .globl s_trap_entry
s_trap_entry:
    addi sp, sp, -80
    sw ra, 0(sp)
    sw t0, 4(sp)
    sw t1, 8(sp)
    sw t2, 12(sp)
    sw a0, 16(sp)
    sw a1, 20(sp)
    sw a2, 24(sp)
    sw a3, 28(sp)
    sw a4, 32(sp)
    sw a5, 36(sp)
    sw a6, 40(sp)
    sw a7, 44(sp)
    sw t3, 48(sp)
    sw t4, 52(sp)
    sw t5, 56(sp)
    sw t6, 60(sp)
    call s_trap
    lw ra, 0(sp)
    lw t0, 4(sp)
    lw t1, 8(sp)
    lw t2, 12(sp)
    lw a0, 16(sp)
    lw a1, 20(sp)
    lw a2, 24(sp)
    lw a3, 28(sp)
    lw a4, 32(sp)
    lw a5, 36(sp)
    lw a6, 40(sp)
    lw a7, 44(sp)
    lw t3, 48(sp)
    lw t4, 52(sp)
    lw t5, 56(sp)
    lw t6, 60(sp)
    addi sp, sp, 80
    sret

/* Probes: 4-byte instructions that may trap; the handler skips the faulting instruction. */
    .option push
    .option norvc
    .globl probe_lw
probe_lw:
    lw a0, 0(a0)
    ret
    .globl probe_sw
probe_sw:
    sw a1, 0(a0)
    ret
    .globl probe_csrr_mstatus
probe_csrr_mstatus:
    li a0, 0
    csrr a0, mstatus
    ret
    .globl probe_ebreak
probe_ebreak:
    ebreak
    ret
    .option pop
