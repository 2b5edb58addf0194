/* arith: assembly parts. The per-operation leaf functions come from arith_ops.inc (gen_arith.py);
 * c_tests and misc_tests store one result per case into the array at a0 (checked by arith.c). */
#include "arith_ops.inc"

/* ---- Compressed instructions (every C-extension instruction valid on RV32 except FP/ebreak) ---- */
    .text
    .globl c_tests
c_tests:
    mv t0, ra
    c.li a1, -32                /* 0: c.li negative */
    c.sw a1, 0(a0)
    c.li a2, 31                 /* 1: c.li + c.addi */
    c.addi a2, 31
    c.sw a2, 4(a0)
    c.lui a3, 31                /* 2: c.lui positive */
    c.sw a3, 8(a0)
    c.lui a3, 0xfffe0           /* 3: c.lui negative */
    c.sw a3, 12(a0)
    c.mv a4, sp                 /* 4: c.addi16sp */
    c.addi16sp sp, -64
    sub a5, a4, sp
    c.addi16sp sp, 64
    c.sw a5, 16(a0)
    c.addi4spn a5, sp, 1020     /* 5: c.addi4spn */
    sub a5, a5, sp
    c.sw a5, 20(a0)
    c.li a1, -3                 /* 6: c.slli */
    c.slli a1, 31
    c.sw a1, 24(a0)
    c.li a1, -1                 /* 7: c.srli */
    c.srli a1, 28
    c.sw a1, 28(a0)
    c.li a1, -32                /* 8: c.srai */
    c.srai a1, 3
    c.sw a1, 32(a0)
    li a1, 0x12345678           /* 9: c.andi */
    c.andi a1, -17
    c.sw a1, 36(a0)
    li a2, 0x7fffffff           /* 10: c.mv + c.add */
    c.mv a3, a2
    c.add a3, a2
    c.sw a3, 40(a0)
    li a4, 0x10                 /* 11: c.sub */
    li a5, 7
    c.sub a4, a5
    c.sw a4, 44(a0)
    li a4, 0xff00ff00           /* 12: c.xor */
    li a5, 0x0ff00ff0
    c.mv a3, a4
    c.xor a3, a5
    c.sw a3, 48(a0)
    c.mv a3, a4                 /* 13: c.or */
    c.or a3, a5
    c.sw a3, 52(a0)
    c.mv a3, a4                 /* 14: c.and */
    c.and a3, a5
    c.sw a3, 56(a0)
    la a1, cdata                /* 15: c.lw */
    c.lw a2, 4(a1)
    c.sw a2, 60(a0)
    c.addi16sp sp, -16          /* 16: c.swsp + c.lwsp */
    li a2, 0x600dd00d
    c.swsp a2, 12(sp)
    c.lwsp a3, 12(sp)
    c.addi16sp sp, 16
    c.sw a3, 64(a0)
    c.li a1, 0                  /* 17: c.beqz taken */
    c.li a2, 0
    c.beqz a1, 1f
    c.li a2, 1
1:  c.sw a2, 68(a0)
    c.li a1, 1                  /* 18: c.beqz not taken */
    c.li a2, 0
    c.beqz a1, 1f
    c.li a2, 1
1:  c.sw a2, 72(a0)
    c.li a1, -1                 /* 19: c.bnez taken */
    c.li a2, 0
    c.bnez a1, 1f
    c.li a2, 1
1:  c.sw a2, 76(a0)
    c.li a2, 5                  /* 20: c.j */
    c.j 1f
    c.li a2, 9
1:  c.sw a2, 80(a0)
    c.jal 1f                    /* 21: c.jal links pc+2 */
2:  c.j 3f
1:  la a1, 2b
    sub a1, ra, a1
    c.sw a1, 84(a0)
    c.jr ra
3:  la a5, 1f                   /* 22: c.jalr links pc+2 */
    c.jalr a5
2:  c.j 3f
1:  la a1, 2b
    sub a1, ra, a1
    c.sw a1, 88(a0)
    c.jr ra
3:  la a5, 1f                   /* 23: c.jr */
    c.li a2, 6
    c.jr a5
    c.li a2, 9
1:  c.sw a2, 92(a0)
    li a1, 0x7fffffff           /* 24: c.addi wraps */
    c.addi a1, 1
    c.sw a1, 96(a0)
    li a1, 0x7fffffff           /* 25: c.srai positive */
    c.srai a1, 31
    c.sw a1, 100(a0)
    la a1, cscratch             /* 26: c.sw/c.lw at the largest offset */
    li a2, 0x1234abcd
    c.sw a2, 124(a1)
    c.lw a3, 124(a1)
    c.sw a3, 104(a0)
    c.li a2, 7                  /* 27: c.nop, c.add with x0 source forms */
    c.nop
    c.addi a2, 0
    c.sw a2, 108(a0)
    mv ra, t0
    li a0, 28
    ret

/* ---- Miscellaneous RV32I ------------------------------------------------------------------- */
    .globl misc_tests
misc_tests:
    .option push
    .option norvc
    mv t0, ra
    lui a1, 0xfffff             /* 0: lui */
    sw a1, 0(a0)
1:  auipc a1, 0x1               /* 1: auipc */
    la a2, 1b
    sub a1, a1, a2
    sw a1, 4(a0)
    jal a1, 2f                  /* 2: jal links pc+4 */
1:  j 3f
2:  la a2, 1b
    sub a2, a1, a2
    sw a2, 8(a0)
    jr a1
3:  la a1, 2f                   /* 3: jalr clears bit 0 of the target, rd == rs1 */
    addi a1, a1, 1
    jalr a1, 0(a1)
1:  j 3f
2:  la a2, 1b
    sub a2, a1, a2
    sw a2, 12(a0)
    jr a1
3:  la a1, 2f                   /* 4: jalr with a negative offset */
    addi a1, a1, 16
    jalr a3, -16(a1)
    li a2, 0x99
    j 3f
2:  li a2, 0x42
3:  sw a2, 16(a0)
    la a1, ldata                /* 5..12: loads sign/zero-extend */
    lb a2, 0(a1)
    sw a2, 20(a0)
    lbu a2, 0(a1)
    sw a2, 24(a0)
    lb a2, 1(a1)
    sw a2, 28(a0)
    lb a2, 3(a1)
    sw a2, 32(a0)
    lh a2, 0(a1)
    sw a2, 36(a0)
    lh a2, 2(a1)
    sw a2, 40(a0)
    lhu a2, 2(a1)
    sw a2, 44(a0)
    lw a2, 0(a1)
    sw a2, 48(a0)
    la a1, cscratch             /* 13: partial stores */
    sw zero, 0(a1)
    li a2, 0x123456aa
    sb a2, 1(a1)
    li a2, 0x7654beef
    sh a2, 2(a1)
    lw a2, 0(a1)
    sw a2, 52(a0)
    li a1, 5                    /* 14: writes to x0 are discarded */
    addi x0, a1, 1
    lw x0, 0(a0)
    add a2, x0, x0
    addi a2, a2, 3
    sw a2, 56(a0)
    li a1, -1                   /* 15: lui/addi sign handling (li 0x7ff + 0x800 split) */
    lui a2, 0x80000
    addi a2, a2, -1
    sw a2, 60(a0)
    fence                       /* 16: fence / fence.i execute as no-ops here */
    fence.i
    fence rw, rw
    li a2, 16
    sw a2, 64(a0)
    mv ra, t0
    li a0, 17
    ret
    .option pop

/* ---- A 32-bit instruction that straddles a 4 KiB page boundary ------------------------------ */
    .section .text.straddle, "ax"
    .balign 4096
    .skip 4088
    .globl straddle_test
straddle_test:                  /* at page + 4088 */
    c.li a0, 1                  /* +4088 */
    c.addi a0, 2                /* +4090 */
    c.nop                       /* +4092 */
    .option push
    .option norvc
    lui a1, 0x12345             /* +4094 .. +4097: crosses the page boundary */
    .option pop
    c.add a0, a1
    ret

    .data
    .balign 4
cdata:
    .word 0x11111111, 0xcafef00d
ldata:
    .word 0x80817f80
    .bss
    .balign 4
cscratch:
    .space 128
