/* Two-level 32-bit paging with 4 KiB pages (Intel SDM vol. 3, 4.3). The kernel's 0-32 MiB are
 * identity mapped, supervisor only (U = 0: ring 3 faults on them), through 8 page tables that
 * every page directory shares; user pages live in 1-2 GiB (USER_BASE..USER_STACK_TOP), in
 * tables of their own. Page frames come from a fixed pool at 16-32 MiB (a stack of free
 * frames), so the counts are the same whatever the loader did with the memory below. */
#include "pc.h"

#define KTABLES (KERNEL_MAP >> 22)
uint32_t *kernel_pgdir;
static uint32_t kernel_tables[KTABLES][1024] __attribute__((aligned(4096)));
static uint32_t kernel_dir[1024] __attribute__((aligned(4096)));
static uint32_t free_stack[(KERNEL_MAP - POOL_START) / PAGE];
static unsigned free_top;

void load_cr3(uint32_t *pd) { __asm__ volatile("mov %0, %%cr3" ::"r"(pd) : "memory"); }

void paging_init(void) {
  for (unsigned t = 0; t < KTABLES; t++) {
    for (unsigned i = 0; i < 1024; i++) kernel_tables[t][i] = ((t << 22) | (i << 12)) | PTE_P | PTE_W;
    kernel_dir[t] = (uint32_t)kernel_tables[t] | PTE_P | PTE_W;
  }
  kernel_tables[0][0] = 0; /* page 0 unmapped: null pointers fault */
  kernel_pgdir = kernel_dir;
  for (uint32_t pa = KERNEL_MAP; pa > POOL_START;) free_stack[free_top++] = pa -= PAGE;
  load_cr3(kernel_dir);
  uint32_t cr0;
  __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
  cr0 |= 0x80010000u; /* PG, WP: the kernel too respects read-only user pages */
  __asm__ volatile("mov %0, %%cr0" ::"r"(cr0) : "memory");
}

uint32_t frame_alloc(void) {
  if (!free_top) return 0;
  uint32_t pa = free_stack[--free_top];
  memset((void *)pa, 0, PAGE);
  return pa;
}

void frame_free(uint32_t pa) { free_stack[free_top++] = pa; }
unsigned frames_free(void) { return free_top; }

uint32_t *pgdir_new(void) {
  uint32_t *pd = (uint32_t *)frame_alloc();
  if (pd)
    for (unsigned t = 0; t < KTABLES; t++) pd[t] = kernel_dir[t];
  return pd;
}

static uint32_t *pte_of(uint32_t *pd, uint32_t va, int create) {
  uint32_t *pde = &pd[va >> 22];
  if (!(*pde & PTE_P)) {
    if (!create) return 0;
    uint32_t t = frame_alloc();
    if (!t) return 0;
    *pde = t | PTE_P | PTE_W | PTE_U; /* the PTEs decide */
  }
  return (uint32_t *)(*pde & ~0xfffu) + ((va >> 12) & 1023);
}

static void invlpg(uint32_t va) { __asm__ volatile("invlpg (%0)" ::"r"(va) : "memory"); }

/* Only user pages: the kernel map is fixed. */
int page_map(uint32_t *pd, uint32_t va, uint32_t pa, uint32_t flags) {
  if (va < USER_BASE || va >= USER_STACK_TOP) return 0;
  uint32_t *pte = pte_of(pd, va, 1);
  if (!pte) return 0;
  *pte = pa | flags | PTE_P;
  invlpg(va);
  return 1;
}

uint32_t page_unmap(uint32_t *pd, uint32_t va) {
  uint32_t *pte = va >= USER_BASE && va < USER_STACK_TOP ? pte_of(pd, va, 0) : 0;
  if (!pte || !(*pte & PTE_P)) return 0;
  uint32_t pa = *pte & ~0xfffu;
  *pte = 0;
  invlpg(va);
  return pa;
}

uint32_t page_lookup(uint32_t *pd, uint32_t va) {
  uint32_t *pte = pte_of(pd, va, 0);
  return pte && (*pte & PTE_P) ? *pte : 0;
}

void pgdir_free(uint32_t *pd) {
  for (unsigned t = USER_BASE >> 22; t < USER_STACK_TOP >> 22; t++) {
    if (!(pd[t] & PTE_P)) continue;
    uint32_t *pt = (uint32_t *)(pd[t] & ~0xfffu);
    for (unsigned i = 0; i < 1024; i++)
      if (pt[i] & PTE_P) frame_free(pt[i] & ~0xfffu);
    frame_free((uint32_t)pt);
  }
  frame_free((uint32_t)pd);
}
