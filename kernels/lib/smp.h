/*
 * Opt-in start-up on every hart. start.S parks every hart but 0; a program that wants to run code
 * on all harts includes this header in exactly one of its C files, after defining SMP_HARTS (the
 * number of harts it uses, at most 32). The header supplies reset code in section .text.reset,
 * which link.ld places at 0x80000000 ahead of start.S's _start, where every hart starts:
 *
 * - hart 0 jumps to _start and runs main() as usual;
 * - harts 1 .. SMP_HARTS-1 spin (without touching memory other than smp_go, so hart 0 may clear
 *   .bss) until hart 0 calls smp_start(), then call smp_secondary_main(hartid, dtb), which the
 *   program defines, in M-mode with their own stack (SMP_STACK bytes), their own trap stack
 *   (mscratch, SMP_STACK bytes) and mtvec = m_trap_entry, so m_trap_hook applies to every hart;
 *   when it returns, the hart parks in WFI;
 * - harts >= SMP_HARTS park in WFI at once.
 *
 * Programs that do not include it are unchanged (no .text.reset: _start is at 0x80000000).
 * The lib's console, check() and `failures` are not thread-safe: serialise them.
 */
#ifndef RVOS_SMP_H
#define RVOS_SMP_H

#include "rvos.h"

#ifndef SMP_HARTS
#error "define SMP_HARTS before including smp.h"
#endif
#define SMP_STACK 4096
#define SMP_GO_MAGIC 0x474f474f /* "GOGO": anything else in smp_go (stale RAM, 0) means wait */

#define SMP_STR_(x) #x
#define SMP_STR(x) SMP_STR_(x)

/* Per hart: C stack, then trap stack (slot 0 is unused: hart 0 uses start.S's stacks). */
__attribute__((used, aligned(16))) u8 smp_stacks[SMP_HARTS][2 * SMP_STACK];
__attribute__((used)) volatile u32 smp_go;

/* Defined by the program: runs on harts 1 .. SMP_HARTS-1 once hart 0 calls smp_start(). */
void smp_secondary_main(u32 hartid, uptr dtb);

/* Hart 0 (after .bss is cleared, i.e. from main): lets the secondary harts run. */
static inline void smp_start(void) {
  __asm__ volatile("fence rw, w" ::: "memory");
  smp_go = SMP_GO_MAGIC;
}

static inline u32 smp_hartid(void) { return csr_read(mhartid); }

/* Address range of hart h's own C stack (h >= 1). */
static inline uptr smp_stack_base(u32 h) { return (uptr)smp_stacks[h]; }
static inline uptr smp_stack_top(u32 h) { return (uptr)smp_stacks[h] + SMP_STACK; }

__asm__(".pushsection .text.reset, \"ax\"\n"
        ".option push\n"
        ".option norelax\n"
        ".globl smp_reset\n"
        "smp_reset:\n"
        "  beqz a0, _start\n"
        "  li t0, " SMP_STR(SMP_HARTS) "\n"
        "  bgeu a0, t0, 2f\n"
        "  la t0, smp_go\n"
        "  li t1, " SMP_STR(SMP_GO_MAGIC) "\n"
        "1:lw t2, 0(t0)\n"
        "  bne t2, t1, 1b\n"
        "  fence r, rw\n"
        /* sp = &smp_stacks[hartid + 1][0] = top of this hart's trap stack */
        "  la sp, smp_stacks\n"
        "  addi t0, a0, 1\n"
        "  li t1, 2 * " SMP_STR(SMP_STACK) "\n"
        "  mul t0, t0, t1\n"
        "  add sp, sp, t0\n"
        "  csrw mscratch, sp\n"
        "  li t1, " SMP_STR(SMP_STACK) "\n"
        "  sub sp, sp, t1\n"
        "  la t0, m_trap_entry\n"
        "  csrw mtvec, t0\n"
        "  call smp_secondary_main\n"
        "2:wfi\n"
        "  j 2b\n"
        ".option pop\n"
        ".popsection\n");

#endif
