/* The kernel's translation tables (4 KiB granule, Arm ARM D5), built by core 0 at boot:
 *   0x00000000-0x001fffff  4 KiB pages: kernel text read-only + executable at EL1, rodata
 *                          read-only, data/BSS (and the firmware's spin table below 0x80000)
 *                          read-write; all but text execute-never;
 *   0x00200000-0x3effffff  2 MiB blocks of Normal write-back RAM, read-write, execute-never;
 *   0x3f000000-0x40ffffff  Device-nGnRnE: the BCM2835 peripherals and the BCM2836 local ones.
 * Everything is EL1-only and global. TTBR0 has this identity map; TTBR1 has the same tables, so
 * the kernel is also visible at HIGH_BASE + physical address (it stays linked low). */
#include "rpi.h"
#include "mmu.h"

#define MAIR_VALUE 0xff00UL /* attr0 Device-nGnRnE (0x00), attr1 Normal WB RA/WA inner+outer (0xff) */
#define TCR_T0SZ (64UL - VA_BITS)
#define TCR_T1SZ ((64UL - VA_BITS) << 16)
#define TCR_WALK0 ((1UL << 8) | (1UL << 10) | (3UL << 12))  /* IRGN0/ORGN0 WB, SH0 inner */
#define TCR_WALK1 ((1UL << 24) | (1UL << 26) | (3UL << 28)) /* IRGN1/ORGN1 WB, SH1 inner */
#define TCR_TG1_4K (2UL << 30)                               /* TG0 0b00 is 4 KiB already */
#define TCR_VALUE (TCR_T0SZ | TCR_WALK0 | TCR_T1SZ | TCR_WALK1 | TCR_TG1_4K) /* IPS 0: 4 GiB */
#define SCTLR_M (1UL << 0)
#define SCTLR_C (1UL << 2)
#define SCTLR_I (1UL << 12)

#define PERIPH_START 0x3f000000UL
#define PERIPH_END 0x41000000UL
#define KERNEL_MAP_END 0x80000000UL /* level 1 entries 0 and 1 */
#define USER_L1_INDEX (USER_BASE >> 30)

extern char _start[], __text_end[], __rodata_end[];

static uint64_t l1[ENTRIES] __attribute__((aligned(4096)));
static uint64_t l2_low[ENTRIES] __attribute__((aligned(4096)));  /* 0-1 GiB */
static uint64_t l2_high[ENTRIES] __attribute__((aligned(4096))); /* 1-2 GiB */
static uint64_t l3_kernel[ENTRIES] __attribute__((aligned(4096))); /* 0-2 MiB */

#define KERNEL_RW (ATTR_NORMAL | SH_INNER | DESC_AF | AP_EL1_RW | DESC_PXN | DESC_UXN)
#define KERNEL_RO (ATTR_NORMAL | SH_INNER | DESC_AF | AP_EL1_RO | DESC_PXN | DESC_UXN)
#define KERNEL_TEXT (ATTR_NORMAL | SH_INNER | DESC_AF | AP_EL1_RO | DESC_UXN)
#define DEVICE (ATTR_DEVICE | DESC_AF | AP_EL1_RW | DESC_PXN | DESC_UXN)

uint64_t *kernel_l1(void) { return l1; }

static void build_tables(void) {
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
}

/* The DSB makes table writes visible to the walker before the switch (Arm ARM D5.10.2). */
void set_ttbr0(uint64_t *table, unsigned asid) {
  __asm__ volatile("dsb ishst; msr ttbr0_el1, %0; isb" ::"r"((uint64_t)asid << 48 | (uintptr_t)table) : "memory");
}

void mmu_init(void) {
  build_tables();
  __asm__ volatile("dsb ish");
  __asm__ volatile("msr mair_el1, %0" ::"r"(MAIR_VALUE));
  __asm__ volatile("msr tcr_el1, %0" ::"r"(TCR_VALUE));
  __asm__ volatile("msr ttbr0_el1, %0" ::"r"(l1));
  __asm__ volatile("msr ttbr1_el1, %0" ::"r"(l1));
  __asm__ volatile("isb; tlbi vmalle1; dsb nsh; isb" ::: "memory");
  uint64_t sctlr = read_sysreg(sctlr_el1);
  __asm__ volatile("msr sctlr_el1, %0; isb" ::"r"(sctlr | SCTLR_M | SCTLR_C | SCTLR_I) : "memory");
  printf("mmu: on, 4 KiB pages, TTBR0 identity map 0x0-0x%lx, peripherals 0x%lx-0x%lx Device-nGnRnE\n",
         KERNEL_MAP_END - 1, PERIPH_START, PERIPH_END - 1);
  printf("mmu: kernel text 0x%lx-0x%lx read-only, data execute-never\n", (uintptr_t)_start,
         (uintptr_t)__text_end - 1);
}

/* A level 1 table for a process: the kernel's entries (EL1-only) plus its own user space. */
uint64_t *uvm_create(void) {
  uint64_t *t = page_alloc();
  if (!t) return 0;
  t[0] = l1[0];
  t[1] = l1[1];
  return t;
}

static uint64_t *next_level(uint64_t *table, unsigned index) {
  if (!(table[index] & DESC_VALID)) {
    uint64_t *n = page_alloc();
    if (!n) return 0;
    table[index] = (uintptr_t)n | DESC_TABLE;
  }
  return (uint64_t *)(table[index] & DESC_ADDR_MASK);
}

int uvm_map_page(uint64_t *t, uint64_t va, uint64_t pa, uint64_t attrs) {
  uint64_t *l2 = next_level(t, (va >> 30) & (ENTRIES - 1));
  uint64_t *l3 = l2 ? next_level(l2, (va >> 21) & (ENTRIES - 1)) : 0;
  if (!l3) return 0;
  l3[(va >> 12) & (ENTRIES - 1)] = pa | attrs | DESC_AF | DESC_NG | DESC_PAGE;
  return 1;
}

/* Frees the user pages and the tables; the caller has switched TTBR0 away from it. */
void uvm_free(uint64_t *t) {
  if (t[USER_L1_INDEX] & DESC_VALID) {
    uint64_t *l2 = (uint64_t *)(t[USER_L1_INDEX] & DESC_ADDR_MASK);
    for (unsigned i = 0; i < ENTRIES; i++) {
      if (!(l2[i] & DESC_VALID)) continue;
      uint64_t *l3 = (uint64_t *)(l2[i] & DESC_ADDR_MASK);
      for (unsigned j = 0; j < ENTRIES; j++)
        if (l3[j] & DESC_VALID) page_free((void *)(l3[j] & DESC_ADDR_MASK));
      page_free(l3);
    }
    page_free(l2);
  }
  page_free(t);
}

/* Called through its TTBR1 alias: position-independent code (ADRP/ADR/BL) runs there as well. */
static void __attribute__((noinline)) report_pc(void) {
  uint64_t pc;
  __asm__ volatile("adr %0, ." : "=r"(pc));
  printf("mmu: code runs in the higher half: pc=0x%016lx\n", pc);
}

/* Set by mmu_test for the faults it provokes (exceptions.c reports and skips them). */
volatile int expect_abort;

/* The protections at work: a store to kernel text is a permission fault, a call into data an
 * instruction abort, and TTBR1 shows the same memory at HIGH_BASE. */
void mmu_test(void) {
  static volatile uint32_t marker = 0x5eed;
  expect_abort = 1;
  __asm__ volatile("str wzr, [%0]" ::"r"(_start) : "memory");
  if (expect_abort) printf("mmu: store to text did not fault\n");
  static const uint32_t ret_insn = 0xd65f03c0; /* RET, in rodata: execute-never */
  expect_abort = 1;
  ((void (*)(void))(uintptr_t)&ret_insn)();
  if (expect_abort) printf("mmu: call into rodata did not fault\n");
  expect_abort = 0;
  volatile uint32_t *high = (volatile uint32_t *)(HIGH_BASE + (uintptr_t)&marker);
  printf("mmu: TTBR1 maps the kernel at 0x%016lx too: %s\n", HIGH_BASE + (uintptr_t)_start,
         *high == 0x5eed ? "same data" : "different data");
  ((void (*)(void))(HIGH_BASE + (uintptr_t)report_pc))();
}
