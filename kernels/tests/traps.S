/* traps: illegal-instruction probes and a vectored trap table. */
    .section .probe, "ax"
    .option push
    .option norvc
    .globl probe_ill_op
probe_ill_op:                   /* SLL with funct7 = 0x20: no such instruction */
    .word 0x40001033
    ret
    .globl probe_ill_csr
probe_ill_csr:                  /* csrrw x0, cycle, x0: write to a read-only CSR */
    .word 0xc0001073
    ret
    .globl probe_ill_ld
probe_ill_ld:                   /* ld x0, 0(x0): RV64 only */
    .word 0x00003003
    ret
    .globl probe_ill_c0
probe_ill_c0:                   /* 16-bit all zeros (defined illegal) */
    .half 0x0000
    ret
    .globl probe_ill_c_lwsp0
probe_ill_c_lwsp0:              /* c.lwsp x0, 0(sp): reserved (rd = 0) */
    .half 0x4002
    ret
    .globl probe_ill_c_addi4spn0
probe_ill_c_addi4spn0:          /* c.addi4spn a0, sp, 0: reserved (nzuimm = 0) */
    .half 0x0008
    ret
    .globl probe_ill_ones
probe_ill_ones:                 /* 32-bit encoding with an unused major opcode (0x77, OP-P) */
    .word 0x00000077
    ret
    .option pop

/* Vectored mtvec table: entry i jumps to a stub that records i, then enters m_trap_entry. */
    .text
    .balign 256
    .globl vector_table
vector_table:
    .option push
    .option norvc
    .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    j vstub_\i
    .endr
    .option pop

    .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
vstub_\i:
    csrrw sp, mscratch, sp
    sw t0, -4(sp)
    sw t1, -8(sp)
    li t0, \i
    la t1, vector_hit
    sw t0, 0(t1)
    lw t0, -4(sp)
    lw t1, -8(sp)
    csrrw sp, mscratch, sp
    j m_trap_entry
    .endr

    .bss
    .balign 4
    .globl vector_hit
vector_hit:
    .word 0
