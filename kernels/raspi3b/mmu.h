/* Translation table descriptors for the 4 KiB granule (Arm ARM D5.3: VMSAv8-64 descriptor
 * formats) and the memory map shared by the kernel and every process. */
#ifndef MMU_H
#define MMU_H

#include <stdint.h>

#define PAGE_SIZE 4096UL
#define BLOCK_SIZE (2UL << 20) /* a level 2 block */
#define ENTRIES 512

#define DESC_VALID (1UL << 0)
#define DESC_TABLE (3UL << 0) /* levels 1-2: next-level table */
#define DESC_BLOCK (1UL << 0) /* levels 1-2: block */
#define DESC_PAGE (3UL << 0)  /* level 3: page */
#define ATTR_DEVICE (0UL << 2) /* MAIR_EL1 attr0: Device-nGnRnE */
#define ATTR_NORMAL (1UL << 2) /* MAIR_EL1 attr1: Normal, write-back cacheable */
#define AP_EL1_RW (0UL << 6)
#define AP_RW (1UL << 6) /* EL1 and EL0 read/write */
#define AP_EL1_RO (2UL << 6)
#define AP_RO (3UL << 6) /* EL1 and EL0 read-only */
#define SH_INNER (3UL << 8)
#define DESC_AF (1UL << 10) /* access flag: set, else the first access faults */
#define DESC_NG (1UL << 11) /* not global: tagged with the ASID */
#define DESC_PXN (1UL << 53)
#define DESC_UXN (1UL << 54)
#define DESC_ADDR_MASK 0x0000fffffffff000UL

/* TTBR1 covers the top 512 GiB (T1SZ 25, walks start at level 1): the kernel, RAM and the
 * peripherals at KERNEL_OFFSET (rpi.h) + physical address. TTBR0 covers 0-512 GiB (T0SZ 25):
 * user space only, a process' 2 MiB at USER_BASE (level 1 entry 4); the same kernel tables serve
 * as an identity map in TTBR0 only while a core turns its MMU on (boot.S). */
#define VA_BITS 39
#define USER_BASE 0x100000000UL /* 4 GiB */
#define USER_SIZE BLOCK_SIZE
#define USER_STACK_TOP (USER_BASE + USER_SIZE)

/* Pages for processes are taken from here (physical addresses of RAM above the kernel). */
#define POOL_START 0x00400000UL
#define POOL_END 0x01400000UL

void mmu_build_tables(void); /* at the physical address, MMU off (boot.S) */
void mmu_init(void);         /* once running at the virtual address: TTBR0 for user space only */
void mmu_test(void);
uint64_t *kernel_l1(void); /* the shell's TTBR0: no user space */
void set_ttbr0(uint64_t *l1, unsigned asid);
/* Process address spaces: a level 1 table with user space only. */
uint64_t *uvm_create(void);
int uvm_map_page(uint64_t *l1, uint64_t va, void *kva, uint64_t attrs);
void uvm_free(uint64_t *l1);
/* page.c */
void *page_alloc(void); /* zeroed, a kernel virtual address; 0 when none is left */
void page_free(void *p);
unsigned pages_free(void);

#endif
