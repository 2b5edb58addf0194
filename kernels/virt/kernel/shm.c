/*
 * Shared memory: shm(key, size) maps the segment named key (created zeroed on first use, up to
 * 64 KiB) at SHM_BASE + slot * 1 MiB, the same address in every process. Its pages are marked
 * PTE_SHARED, so fork() shares them instead of copying; each mapping holds a page reference and
 * the segment keeps one itself (segments live until power-off, like System V segments without
 * IPC_RMID).
 */
#include "kernel.h"

static struct { int used, key; u32 npages; void *pages[SHM_MAX_PAGES]; } segs[NSHM];

u32 shm_map(int key, u32 size) {
  struct proc *p = myproc();
  u32 npages = (size + PGSIZE - 1) / PGSIZE;
  if (npages == 0 || npages > SHM_MAX_PAGES) return (u32)-1;
  int idx = -1;
  for (int i = 0; i < NSHM && idx < 0; i++)
    if (segs[i].used && segs[i].key == key) idx = i;
  if (idx < 0) {
    for (int i = 0; i < NSHM && idx < 0; i++)
      if (!segs[i].used) idx = i;
    if (idx < 0) return (u32)-1;
    for (u32 k = 0; k < npages; k++) {
      if (!(segs[idx].pages[k] = kalloc())) {
        while (k--) kfree(segs[idx].pages[k]);
        return (u32)-1;
      }
    }
    segs[idx].used = 1;
    segs[idx].key = key;
    segs[idx].npages = npages;
  }
  if (npages > segs[idx].npages) return (u32)-1;
  u32 va = SHM_BASE + idx * SHM_SLOT;
  if (p->shm_mask & (1u << idx)) return va;
  for (u32 k = 0; k < segs[idx].npages; k++) {
    if (map_page(p->pagetable, va + k * PGSIZE, (u32)segs[idx].pages[k], PTE_R | PTE_W | PTE_U | PTE_SHARED) < 0) {
      uvm_unmap(p->pagetable, va, k);
      return (u32)-1;
    }
    page_ref(segs[idx].pages[k]);
  }
  p->shm_mask |= 1u << idx;
  return va;
}
