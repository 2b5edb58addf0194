/* csr: probes for privileged instructions and CSR accesses (fixed encodings, see csr.c). */
    .section .probe, "ax"
    .option push
    .option norvc
.macro PROBE name, insn:vararg
    .globl \name
\name:
    \insn
    ret
.endm
    PROBE probe_rdcycle, rdcycle a0
    PROBE probe_rdtime, rdtime a0
    PROBE probe_rdinstret, rdinstret a0
    PROBE probe_rdcycleh, rdcycleh a0
    PROBE probe_rd_mstatus, csrr a0, mstatus
    PROBE probe_rd_sstatus, csrr a0, sstatus
    PROBE probe_rd_satp, csrr a0, satp
    PROBE probe_wr_satp, csrw satp, a0
    PROBE probe_rd_hstatus, csrr a0, 0x600
    PROBE probe_set_mhartid, csrrs a0, mhartid, a1
    PROBE probe_rd_mhartid, csrrs a0, mhartid, zero
    PROBE probe_sfence, sfence.vma
    PROBE probe_mret, mret
    PROBE probe_sret, sret
    PROBE probe_wfi, wfi
    .option pop
