/*
 * Sv32 virtual memory. Every page table maps the kernel in its upper half: RAM identity mapped
 * (supervisor only: no U bit; kernel text R+X, read-only data R, the rest R+W; /reserved-memory
 * regions marked no-map are left out) and device registers in the ioremap window. The lower half
 * [0, 0x80000000) is the process' own, with U set on every page. Copy-on-write pages have W
 * cleared and PTE_COW (an RSW bit) set; shared-memory pages carry PTE_SHARED.
 */
#include "kernel.h"

extern char __kernel_start[], __text_end[], __rodata_end[];

pagetable_t kernel_pagetable;
static u32 io_next = IO_BASE;

#define KERN_FIRST 512 /* VPN1 of 0x80000000: entries from here on are the kernel's */

static int nomap(u32 pa) {
  for (int i = 0; i < machine.nresv; i++) {
    struct region *r = &machine.resv[i];
    if (r->nomap && pa + PGSIZE > r->base && pa < r->base + r->size) return 1;
  }
  return 0;
}

static u32 kperm(u32 pa) {
  if (pa >= (u32)__kernel_start && pa < (u32)__text_end) return PTE_R | PTE_X;
  if (pa >= (u32)__text_end && pa < (u32)__rodata_end) return PTE_R;
  return PTE_R | PTE_W;
}

void kvm_init(void) {
  kernel_pagetable = kalloc();
  if (!kernel_pagetable) panic("kvm_init: out of memory");
  u32 lo = machine.ram_base & ~(MEGAPAGE - 1);
  u32 hi = machine.ram_base + machine.ram_size;
  for (u32 chunk = lo; chunk < hi && chunk >= lo; chunk += MEGAPAGE) {
    /* A megapage when the whole 4 MiB is RAM with one permission, else a table of 4 KiB pages. */
    int uniform = chunk >= machine.ram_base && chunk + MEGAPAGE <= hi;
    u32 perm = kperm(chunk);
    for (u32 pa = chunk; uniform && pa < chunk + MEGAPAGE; pa += PGSIZE)
      if (nomap(pa) || kperm(pa) != perm) uniform = 0;
    if (uniform) {
      kernel_pagetable[VPN1(chunk)] = PA2PTE(chunk) | perm | PTE_G | PTE_A | PTE_D | PTE_V;
      continue;
    }
    for (u32 pa = chunk; pa < chunk + MEGAPAGE; pa += PGSIZE) {
      if (pa < machine.ram_base || pa >= hi || nomap(pa)) continue;
      if (map_page(kernel_pagetable, pa, pa, kperm(pa) | PTE_G) < 0) panic("kvm_init: out of memory");
    }
  }
  switch_pagetable(kernel_pagetable);
}

/* Maps device registers [pa, pa + size) into the ioremap window (4 MiB megapages, R+W). */
void *ioremap(u32 pa, u32 size) {
  u32 first = pa & ~(MEGAPAGE - 1), last = (pa + size - 1) & ~(MEGAPAGE - 1);
  /* Already mapped (contiguously)? */
  for (u32 va = IO_BASE; va < io_next; va += MEGAPAGE) {
    if (PTE2PA(kernel_pagetable[VPN1(va)]) != first) continue;
    int ok = 1;
    for (u32 c = first, v = va; c <= last && ok; c += MEGAPAGE, v += MEGAPAGE)
      ok = v < io_next && PTE2PA(kernel_pagetable[VPN1(v)]) == c;
    if (ok) return (void *)(va + (pa - first));
  }
  u32 va0 = io_next;
  for (u32 c = first;; c += MEGAPAGE) {
    if (io_next == 0) panic("ioremap: window full");
    kernel_pagetable[VPN1(io_next)] = PA2PTE(c) | PTE_R | PTE_W | PTE_G | PTE_A | PTE_D | PTE_V;
    io_next += MEGAPAGE;
    if (c == last) break;
  }
  sfence_vma();
  return (void *)(va0 + (pa - first));
}

/* The level-0 PTE for va (allocating the level-0 table if asked); 0 for a megapage or none. */
pte_t *walk(pagetable_t pt, u32 va, int alloc) {
  pte_t *l1 = &pt[VPN1(va)];
  if (*l1 & PTE_V) {
    if (*l1 & (PTE_R | PTE_W | PTE_X)) return 0;
  } else {
    if (!alloc) return 0;
    pagetable_t t = kalloc();
    if (!t) return 0;
    *l1 = PA2PTE(t) | PTE_V;
  }
  pagetable_t l0 = (pagetable_t)PTE2PA(*l1);
  return &l0[VPN0(va)];
}

int map_page(pagetable_t pt, u32 va, u32 pa, u32 perm) {
  pte_t *pte = walk(pt, va, 1);
  if (!pte) return -1;
  if (*pte & PTE_V) panic("map_page: %p already mapped", va);
  *pte = PA2PTE(pa) | perm | PTE_A | ((perm & PTE_W) ? PTE_D : 0) | PTE_V;
  return 0;
}

void switch_pagetable(pagetable_t pt) {
  csr_write(satp, MAKE_SATP(pt));
  sfence_vma();
}

pagetable_t uvm_create(void) {
  pagetable_t pt = kalloc();
  if (!pt) return 0;
  for (int i = KERN_FIRST; i < 1024; i++) pt[i] = kernel_pagetable[i];
  return pt;
}

/* Drops every user page (one reference each), the level-0 tables and the root. */
void uvm_free(pagetable_t pt) {
  for (int i = 0; i < KERN_FIRST; i++) {
    if (!(pt[i] & PTE_V)) continue;
    pagetable_t l0 = (pagetable_t)PTE2PA(pt[i]);
    for (int j = 0; j < 1024; j++)
      if (l0[j] & PTE_V) kfree((void *)PTE2PA(l0[j]));
    kfree(l0);
  }
  kfree(pt);
}

/* fork: the child shares every page; private writable pages become copy-on-write in both. */
int uvm_cow_copy(pagetable_t from, pagetable_t to) {
  for (int i = 0; i < KERN_FIRST; i++) {
    if (!(from[i] & PTE_V)) continue;
    pagetable_t l0 = (pagetable_t)PTE2PA(from[i]);
    for (int j = 0; j < 1024; j++) {
      pte_t *pte = &l0[j];
      if (!(*pte & PTE_V)) continue;
      if (!(*pte & PTE_SHARED) && (*pte & (PTE_W | PTE_COW))) *pte = (*pte & ~PTE_W) | PTE_COW;
      u32 va = ((u32)i << 22) | ((u32)j << 12);
      pte_t *cpte = walk(to, va, 1);
      if (!cpte) return -1;
      *cpte = *pte;
      page_ref((void *)PTE2PA(*pte));
    }
  }
  sfence_vma();
  return 0;
}

/* A store to a copy-on-write page: copy it (or take it over when no one else maps it). */
int cow_fault(pagetable_t pt, u32 va) {
  if (va >= USER_TOP) return -1;
  pte_t *pte = walk(pt, va, 0);
  if (!pte || !(*pte & PTE_V) || !(*pte & PTE_U) || !(*pte & PTE_COW)) return -1;
  void *old = (void *)PTE2PA(*pte);
  u32 flags = (PTE_FLAGS(*pte) & ~PTE_COW) | PTE_W | PTE_D;
  if (page_refcount(old) == 1) {
    *pte = PA2PTE(old) | flags;
  } else {
    void *copy = kalloc();
    if (!copy) return -1;
    memcpy(copy, old, PGSIZE);
    *pte = PA2PTE(copy) | flags;
    kfree(old);
  }
  sfence_vma_addr(PGROUNDDOWN(va));
  return 0;
}

u32 uvm_grow(pagetable_t pt, u32 oldsz, u32 newsz, u32 perm) {
  for (u32 a = PGROUNDUP(oldsz); a < newsz; a += PGSIZE) {
    void *pa = kalloc();
    if (!pa || map_page(pt, a, (u32)pa, perm | PTE_U) < 0) {
      if (pa) kfree(pa);
      uvm_shrink(pt, a, oldsz);
      return 0;
    }
  }
  return newsz;
}

u32 uvm_shrink(pagetable_t pt, u32 oldsz, u32 newsz) {
  u32 from = PGROUNDUP(newsz), to = PGROUNDUP(oldsz);
  if (from < to) uvm_unmap(pt, from, (to - from) / PGSIZE);
  return newsz;
}

void uvm_unmap(pagetable_t pt, u32 va, u32 npages) {
  for (u32 i = 0; i < npages; i++, va += PGSIZE) {
    pte_t *pte = walk(pt, va, 0);
    if (!pte || !(*pte & PTE_V)) continue;
    kfree((void *)PTE2PA(*pte));
    *pte = 0;
  }
  sfence_vma();
}

/* Every page of [va, va+len) is a user page readable (or writable: copy-on-write resolved now). */
int user_range_ok(pagetable_t pt, u32 va, u32 len, int write) {
  if (len == 0) return 1;
  if (va >= USER_TOP || len > USER_TOP - va) return 0;
  for (u32 a = PGROUNDDOWN(va); a < va + len; a += PGSIZE) {
    pte_t *pte = walk(pt, a, 0);
    if (!pte || !(*pte & PTE_V) || !(*pte & PTE_U)) return 0;
    if (!write && !(*pte & PTE_R)) return 0;
    if (write && !(*pte & PTE_W)) {
      if (!(*pte & PTE_COW) || cow_fault(pt, a) < 0) return 0;
    }
  }
  return 1;
}

static int active(pagetable_t pt) { return csr_read(satp) == MAKE_SATP(pt); }

/* Copies to user memory. The user pointer is validated first; the copy then runs with
 * sstatus.SUM set (only for its duration), or through physical addresses when pt is not the
 * active page table (exec building a new image). */
int copyout(pagetable_t pt, u32 dst, const void *src, u32 len) {
  if (!user_range_ok(pt, dst, len, 1)) return -1;
  if (active(pt)) {
    csr_set(sstatus, SSTATUS_SUM);
    memcpy((void *)dst, src, len);
    csr_clear(sstatus, SSTATUS_SUM);
    return 0;
  }
  while (len) {
    u32 n = PGSIZE - (dst & (PGSIZE - 1));
    if (n > len) n = len;
    memcpy((void *)(PTE2PA(*walk(pt, dst, 0)) + (dst & (PGSIZE - 1))), src, n);
    dst += n, src = (const u8 *)src + n, len -= n;
  }
  return 0;
}

int copyin(pagetable_t pt, void *dst, u32 src, u32 len) {
  if (!user_range_ok(pt, src, len, 0)) return -1;
  if (!active(pt)) panic("copyin: inactive page table");
  csr_set(sstatus, SSTATUS_SUM);
  memcpy(dst, (const void *)src, len);
  csr_clear(sstatus, SSTATUS_SUM);
  return 0;
}

/* A NUL-terminated string of at most max bytes (with the NUL); -1 if bad or too long. */
int copyinstr(pagetable_t pt, char *dst, u32 src, u32 max) {
  u32 n = 0;
  while (n < max) {
    u32 chunk = PGSIZE - ((src + n) & (PGSIZE - 1));
    if (chunk > max - n) chunk = max - n;
    if (!user_range_ok(pt, src + n, chunk, 0)) return -1;
    csr_set(sstatus, SSTATUS_SUM);
    for (u32 i = 0; i < chunk; i++) {
      char c = ((const char *)src)[n + i];
      dst[n + i] = c;
      if (c == 0) {
        csr_clear(sstatus, SSTATUS_SUM);
        return n + i;
      }
    }
    csr_clear(sstatus, SSTATUS_SUM);
    n += chunk;
  }
  return -1;
}
