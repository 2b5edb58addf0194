/* The kernel's translation tables (4 KiB granule, Arm ARM D5), built by core 0 at boot, for
 * physical addresses (PA) mapped at KERNEL_OFFSET + PA through TTBR1:
 *   0x00000000-0x001fffff  4 KiB pages: kernel text read-only + executable at EL1, rodata
 *                          read-only, data/BSS (and the firmware's spin table below 0x80000)
 *                          read-write; all but text execute-never;
 *   0x00200000-0x3effffff  2 MiB blocks of Normal write-back RAM, read-write, execute-never;
 *   0x3f000000-0x40ffffff  Device-nGnRnE: the BCM2835 peripherals and the BCM2836 local ones.
 * Everything is EL1-only and global. The kernel is linked at KERNEL_OFFSET + 0x80000 and loaded
 * at 0x80000: boot.S turns the MMU on with these tables in TTBR0 too (an identity map, so the
 * instruction after the switch is found), then jumps to the virtual addresses; mmu_init() then
 * gives TTBR0 to user space. MAIR_EL1, TCR_EL1 and SCTLR_EL1 are set by boot.S (mmu_on). */
#include "rpi.h"
#include "mmu.h"


#define PERIPH_START 0x3f000000UL
#define PERIPH_END 0x41000000UL
#define KERNEL_MAP_END 0x80000000UL /* level 1 entries 0 and 1 */
#define USER_L1_INDEX (USER_BASE >> 30)

extern char _start[], __text_end[], __rodata_end[];

/* Level 1 for TTBR1 (and TTBR0 while the MMU is turned on): boot.S finds it by name. */
uint64_t kernel_l1_table[ENTRIES] __attribute__((aligned(4096)));
#define l1 kernel_l1_table
/* TTBR0 of the shell: no user space. */
static uint64_t empty_l1[ENTRIES] __attribute__((aligned(4096)));
static uint64_t l2_low[ENTRIES] __attribute__((aligned(4096)));  /* 0-1 GiB */
static uint64_t l2_high[ENTRIES] __attribute__((aligned(4096))); /* 1-2 GiB */
static uint64_t l3_kernel[ENTRIES] __attribute__((aligned(4096))); /* 0-2 MiB */

#define KERNEL_RW (ATTR_NORMAL | SH_INNER | DESC_AF | AP_EL1_RW | DESC_PXN | DESC_UXN)
#define KERNEL_RO (ATTR_NORMAL | SH_INNER | DESC_AF | AP_EL1_RO | DESC_PXN | DESC_UXN)
#define KERNEL_TEXT (ATTR_NORMAL | SH_INNER | DESC_AF | AP_EL1_RO | DESC_UXN)
#define DEVICE (ATTR_DEVICE | DESC_AF | AP_EL1_RW | DESC_PXN | DESC_UXN)

uint64_t *kernel_l1(void) { return empty_l1; }

/* Runs at the physical address with the MMU off (boot.S): symbols' addresses come out of ADRP
 * as physical addresses here, and nothing may use a linked (virtual) address. */
void mmu_build_tables(void) {
  for (uint64_t pa = 0; pa < BLOCK_SIZE; pa += PAGE_SIZE) {
    uint64_t attrs = KERNEL_RW;
    if (pa >= (uintptr_t)_start && pa < (uintptr_t)__text_end) attrs = KERNEL_TEXT;
    else if (pa >= (uintptr_t)__text_end && pa < (uintptr_t)__rodata_end) attrs = KERNEL_RO;
    l3_kernel[pa / PAGE_SIZE] = pa | attrs | DESC_PAGE;
  }
  l2_low[0] = (uintptr_t)l3_kernel | DESC_TABLE;
  for (uint64_t pa = BLOCK_SIZE; pa < KERNEL_MAP_END; pa += BLOCK_SIZE) {
    uint64_t *l2 = pa < 0x40000000UL ? l2_low : l2_high;
    uint64_t desc = 0;
    if (pa >= PERIPH_START && pa < PERIPH_END) desc = pa | DEVICE | DESC_BLOCK;
    else if (pa < PERIPH_START) desc = pa | KERNEL_RW | DESC_BLOCK;
    l2[(pa >> 21) & (ENTRIES - 1)] = desc;
  }
  l1[0] = (uintptr_t)l2_low | DESC_TABLE;
  l1[1] = (uintptr_t)l2_high | DESC_TABLE;
  __asm__ volatile("dsb ish" ::: "memory");
}

/* The DSB makes table writes visible to the walker before the switch (Arm ARM D5.10.2). */
void set_ttbr0(uint64_t *table, unsigned asid) {
  __asm__ volatile("dsb ishst; msr ttbr0_el1, %0; isb" ::"r"((uint64_t)asid << 48 | PA(table)) : "memory");
}

void mmu_init(void) {
  set_ttbr0(empty_l1, 0); /* the identity map was for turning the MMU on */
  __asm__ volatile("tlbi vmalle1; dsb nsh; isb" ::: "memory");
  printf("mmu: on, 4 KiB pages; kernel at 0x%016lx (TTBR1), TTBR0 for user space\n", (uintptr_t)_start);
  printf("mmu: RAM at 0x%016lx, peripherals 0x%lx-0x%lx Device-nGnRnE\n", KERNEL_OFFSET, PA(MMIO_BASE),
         PA(LOCAL_BASE) + 0xffffff);
  printf("mmu: kernel text 0x%lx-0x%lx read-only, data execute-never\n", (uintptr_t)_start, (uintptr_t)__text_end - 1);
}

/* A level 1 table for a process: its user space only (the kernel is in TTBR1). */
uint64_t *uvm_create(void) { return page_alloc(); }

/* Descriptors hold physical addresses; the kernel reaches the tables at their virtual ones. */
static uint64_t *next_level(uint64_t *table, unsigned index) {
  if (!(table[index] & DESC_VALID)) {
    uint64_t *n = page_alloc();
    if (!n) return 0;
    table[index] = PA(n) | DESC_TABLE;
  }
  return VA(table[index] & DESC_ADDR_MASK);
}

/* Maps user page va to the kernel page kva (a page_alloc() result). */
int uvm_map_page(uint64_t *t, uint64_t va, void *kva, uint64_t attrs) {
  uint64_t *l2 = next_level(t, (va >> 30) & (ENTRIES - 1));
  uint64_t *l3 = l2 ? next_level(l2, (va >> 21) & (ENTRIES - 1)) : 0;
  if (!l3) return 0;
  l3[(va >> 12) & (ENTRIES - 1)] = PA(kva) | attrs | DESC_AF | DESC_NG | DESC_PAGE;
  return 1;
}

/* Frees the user pages and the tables; the caller has switched TTBR0 away from it. */
void uvm_free(uint64_t *t) {
  if (t[USER_L1_INDEX] & DESC_VALID) {
    uint64_t *l2 = VA(t[USER_L1_INDEX] & DESC_ADDR_MASK);
    for (unsigned i = 0; i < ENTRIES; i++) {
      if (!(l2[i] & DESC_VALID)) continue;
      uint64_t *l3 = VA(l2[i] & DESC_ADDR_MASK);
      for (unsigned j = 0; j < ENTRIES; j++)
        if (l3[j] & DESC_VALID) page_free(VA(l3[j] & DESC_ADDR_MASK));
      page_free(l3);
    }
    page_free(l2);
  }
  page_free(t);
}

static void __attribute__((noinline)) report_pc(void) {
  uint64_t pc;
  __asm__ volatile("adr %0, ." : "=r"(pc));
  printf("mmu: code runs in the higher half: pc=0x%016lx\n", pc);
}

/* Set by mmu_test for the faults it provokes (exceptions.c reports and skips them). */
volatile int expect_abort;

/* The protections at work: a store to kernel text is a permission fault, a call into rodata an
 * instruction abort, a load from user space with no process an EL1 translation fault. */
void mmu_test(void) {
  expect_abort = 1;
  __asm__ volatile("str wzr, [%0]" ::"r"(_start) : "memory");
  if (expect_abort) printf("mmu: store to text did not fault\n");
  static const uint32_t ret_insn = 0xd65f03c0; /* RET, in rodata: execute-never */
  expect_abort = 1;
  ((void (*)(void))(uintptr_t)&ret_insn)();
  if (expect_abort) printf("mmu: call into rodata did not fault\n");
  expect_abort = 1;
  (void)*(volatile uint32_t *)USER_BASE;
  if (expect_abort) printf("mmu: load from empty user space did not fault\n");
  expect_abort = 0;
  report_pc();
}
