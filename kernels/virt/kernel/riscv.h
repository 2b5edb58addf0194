/* RISC-V privileged architecture definitions for the S-mode kernel (RV32, Sv32). */
#pragma once
#include <stdint.h>

#define csr_read(csr) ({ uint32_t v_; asm volatile("csrr %0, " #csr : "=r"(v_)); v_; })
#define csr_write(csr, v) asm volatile("csrw " #csr ", %0" ::"rK"((uint32_t)(v)) : "memory")
#define csr_set(csr, v) asm volatile("csrs " #csr ", %0" ::"rK"((uint32_t)(v)) : "memory")
#define csr_clear(csr, v) asm volatile("csrc " #csr ", %0" ::"rK"((uint32_t)(v)) : "memory")

/* sstatus */
#define SSTATUS_SIE (1u << 1)
#define SSTATUS_SPIE (1u << 5)
#define SSTATUS_SPP (1u << 8)
#define SSTATUS_SUM (1u << 18)
#define SSTATUS_MXR (1u << 19)

/* sie / sip */
#define SIE_SSIE (1u << 1)
#define SIE_STIE (1u << 5)
#define SIE_SEIE (1u << 9)

/* scause */
#define SCAUSE_INTR 0x80000000u
#define IRQ_S_SOFT 1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT 9
#define EXC_INST_MISALIGNED 0
#define EXC_INST_ACCESS 1
#define EXC_ILLEGAL 2
#define EXC_BREAKPOINT 3
#define EXC_LOAD_MISALIGNED 4
#define EXC_LOAD_ACCESS 5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS 7
#define EXC_ECALL_U 8
#define EXC_ECALL_S 9
#define EXC_INST_PAGE 12
#define EXC_LOAD_PAGE 13
#define EXC_STORE_PAGE 15

/* Sv32 */
#define PGSIZE 4096u
#define PGSHIFT 12
#define MEGAPAGE (4u << 20)
#define PGROUNDUP(a) (((a) + PGSIZE - 1) & ~(PGSIZE - 1))
#define PGROUNDDOWN(a) ((a) & ~(PGSIZE - 1))
#define PTE_V (1u << 0)
#define PTE_R (1u << 1)
#define PTE_W (1u << 2)
#define PTE_X (1u << 3)
#define PTE_U (1u << 4)
#define PTE_G (1u << 5)
#define PTE_A (1u << 6)
#define PTE_D (1u << 7)
/* The two RSW bits, for the kernel's own use. */
#define PTE_COW (1u << 8)    /* copy-on-write: writable once copied */
#define PTE_SHARED (1u << 9) /* shared memory: fork shares, never copies */
#define PTE_FLAGS(pte) ((pte) & 0x3ffu)
#define PTE2PA(pte) (((pte) >> 10) << 12)
#define PA2PTE(pa) (((uint32_t)(pa) >> 12) << 10)
#define VPN1(va) (((uint32_t)(va) >> 22) & 0x3ffu)
#define VPN0(va) (((uint32_t)(va) >> 12) & 0x3ffu)
#define SATP_SV32 (1u << 31)
#define MAKE_SATP(pt) (SATP_SV32 | ((uint32_t)(pt) >> 12))

static inline void sfence_vma(void) { asm volatile("sfence.vma zero, zero" ::: "memory"); }
static inline void sfence_vma_addr(uint32_t va) { asm volatile("sfence.vma %0, zero" ::"r"(va) : "memory"); }
static inline void intr_on(void) { csr_set(sstatus, SSTATUS_SIE); }
static inline void intr_off(void) { csr_clear(sstatus, SSTATUS_SIE); }
static inline void wfi(void) { asm volatile("wfi"); }
static inline void mb(void) { asm volatile("fence rw, rw" ::: "memory"); }
static inline uint64_t rdtime(void) {
  uint32_t hi, lo, hi2;
  do {
    asm volatile("rdtimeh %0" : "=r"(hi));
    asm volatile("rdtime %0" : "=r"(lo));
    asm volatile("rdtimeh %0" : "=r"(hi2));
  } while (hi != hi2);
  return ((uint64_t)hi << 32) | lo;
}
