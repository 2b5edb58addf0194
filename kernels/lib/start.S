/*
 * Startup, trap entry, privilege switches, setjmp/longjmp and fault probes.
 * Entered in M-mode at 0x80000000 with a0 = hartid, a1 = DTB address (QEMU -bios none convention).
 */
#define FRAME 144
#define MAGIC 0x52564f53

    .section .text.init, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    /* Harts other than 0 park forever. */
    bnez a0, park
    la sp, __stack_top
    la t0, m_trap_stack_top
    csrw mscratch, t0
    la t0, m_trap_entry
    csrw mtvec, t0
    mv s0, a0
    mv s1, a1
    /* Clear .bss (the loader may not). */
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sw zero, 0(t0)
    addi t0, t0, 4
    j 1b
2:  mv a0, s0
    mv a1, s1
    call main
    tail exit_
park:
    wfi
    j park
    .option pop

/*
 * Trap entry shared by M and S: swap to the trap stack kept in xscratch, save all registers and
 * the trap CSRs into a struct trap_frame, call the C handler, write back epc/status (the handler
 * may change them) and return. xscratch always holds the top of the trap stack outside a trap,
 * so a handler that longjmps out of the trap leaves things consistent.
 */
.macro TRAP_ENTRY m, name, handler
    .text
    .balign 4
    .globl \name
\name:
    csrrw sp, \m\()scratch, sp
    addi sp, sp, -FRAME
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
    csrr t0, \m\()scratch
    sw t0, 8(sp)
    addi t0, sp, FRAME
    csrw \m\()scratch, t0
    csrr t0, \m\()epc
    sw t0, 128(sp)
    csrr t0, \m\()cause
    sw t0, 132(sp)
    csrr t0, \m\()tval
    sw t0, 136(sp)
    csrr t0, \m\()status
    sw t0, 140(sp)
    mv a0, sp
    call \handler
    lw t0, 128(sp)
    csrw \m\()epc, t0
    lw t0, 140(sp)
    csrw \m\()status, t0
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
    \m\()ret
.endm

    TRAP_ENTRY m, m_trap_entry, m_trap_handler
    TRAP_ENTRY s, s_trap_entry, s_trap_handler

/* ---- setjmp / longjmp ------------------------------------------------------------------- */
    .text
    .globl setjmp_
setjmp_:
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
    li a0, 0
    ret

    .globl longjmp_
longjmp_:
    lw ra, 0(a0)
    lw sp, 4(a0)
    lw s0, 8(a0)
    lw s1, 12(a0)
    lw s2, 16(a0)
    lw s3, 20(a0)
    lw s4, 24(a0)
    lw s5, 28(a0)
    lw s6, 32(a0)
    lw s7, 36(a0)
    lw s8, 40(a0)
    lw s9, 44(a0)
    lw s10, 48(a0)
    lw s11, 52(a0)
    seqz a0, a1
    add a0, a0, a1
    ret

/* ---- Privilege switches ----------------------------------------------------------------- */
/* enter_lower_m(mode, fn, sp): mret into `mode` at fn with ra = lower_return. Interrupt enables
 * of the lower mode are whatever the caller set in mstatus; MPIE is cleared. */
    .globl enter_lower_m
enter_lower_m:
    csrw mepc, a1
    li t0, (3 << 11) | (1 << 7)
    csrc mstatus, t0
    slli a0, a0, 11
    csrs mstatus, a0
    mv sp, a2
    la ra, lower_return
    mret

/* enter_user_s(entry, sp): sret into U-mode at entry with ra = 0. */
    .globl enter_user_s
enter_user_s:
    csrw sepc, a0
    li t0, (1 << 8)
    csrc sstatus, t0
    mv sp, a1
    li ra, 0
    sret

    .globl lower_return
lower_return:
    li a7, MAGIC
    ecall
1:  j 1b

/* ---- Probes ----------------------------------------------------------------------------- */
/* Each probe is a leaf that does not touch ra before the interesting instruction, so a handler
 * can resume at ra. Uncompressed on purpose (fixed 4-byte instructions). */
    .section .probe, "ax"
    .option push
    .option norvc
    .globl probe_lw
probe_lw:
    lw a0, 0(a0)
    ret
    .globl probe_lh
probe_lh:
    lh a0, 0(a0)
    ret
    .globl probe_lhu
probe_lhu:
    lhu a0, 0(a0)
    ret
    .globl probe_lb
probe_lb:
    lb a0, 0(a0)
    ret
    .globl probe_lbu
probe_lbu:
    lbu a0, 0(a0)
    ret
    .globl probe_sw
probe_sw:
    sw a1, 0(a0)
    ret
    .globl probe_sh
probe_sh:
    sh a1, 0(a0)
    ret
    .globl probe_sb
probe_sb:
    sb a1, 0(a0)
    ret
    .globl probe_exec
probe_exec:
    jr a0
    .globl probe_ecall
probe_ecall:
    li a7, 0
    ecall
    ret
    .globl probe_ebreak
probe_ebreak:
    ebreak
    ret
    .globl probe_amoadd
probe_amoadd:
    amoadd.w a0, a1, (a0)
    ret
    .globl probe_amoswap
probe_amoswap:
    amoswap.w a0, a1, (a0)
    ret
    .globl probe_lr
probe_lr:
    lr.w a0, (a0)
    ret
    .globl probe_sc
probe_sc:
    sc.w a0, a1, (a0)
    ret
    .option pop
