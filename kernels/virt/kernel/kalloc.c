/*
 * Physical memory: a free list of 4 KiB pages with a reference count per page (shared by
 * copy-on-write and shared-memory mappings), and a small kernel heap (kmalloc/kmfree) of
 * power-of-two size classes carved from pages.
 */
#include "kernel.h"

extern char __kernel_start[], _end[];

struct run { struct run *next; };
static struct run *freelist;
static u32 nfree, ntotal;
static u16 *refcnt;          /* one per RAM page */
static u32 ram_lo, ram_hi;   /* [ram_lo, ram_hi) */
static u32 boot_end;

static inline u32 pidx(void *pa) { return ((u32)pa - ram_lo) >> PGSHIFT; }

static int reserved(u32 pa) {
  for (int i = 0; i < machine.nresv; i++) {
    struct region *r = &machine.resv[i];
    if (pa + PGSIZE > r->base && pa < r->base + r->size) return 1;
  }
  if (pa + PGSIZE > machine.dtb_base && pa < machine.dtb_base + machine.dtb_size) return 1;
  if (pa + PGSIZE > (u32)__kernel_start && pa < boot_end) return 1;
  return 0;
}

u32 boot_alloc_end(void) { return boot_end; }

void kinit(void) {
  ram_lo = machine.ram_base;
  ram_hi = machine.ram_base + machine.ram_size;
  /* The page reference counts live right after the kernel image. */
  u32 npages = machine.ram_size >> PGSHIFT;
  refcnt = (u16 *)PGROUNDUP((u32)_end);
  boot_end = PGROUNDUP((u32)refcnt + npages * sizeof(u16));
  memset(refcnt, 0, npages * sizeof(u16));
  for (u32 pa = ram_lo; pa < ram_hi; pa += PGSIZE) {
    if (reserved(pa)) continue;
    refcnt[pidx((void *)pa)] = 1;
    kfree((void *)pa);
    ntotal++;
  }
}

void *kalloc(void) {
  struct run *r = freelist;
  if (!r) return 0;
  freelist = r->next;
  nfree--;
  refcnt[pidx(r)] = 1;
  memset(r, 0, PGSIZE);
  return r;
}

void kfree(void *pa) {
  u32 a = (u32)pa;
  if ((a & (PGSIZE - 1)) || a < ram_lo || a >= ram_hi) panic("kfree: bad page %p", pa);
  u16 *rc = &refcnt[pidx(pa)];
  if (*rc == 0) panic("kfree: page %p already free", pa);
  if (--*rc) return;
  struct run *r = pa;
  r->next = freelist;
  freelist = r;
  nfree++;
}

void page_ref(void *pa) {
  u16 *rc = &refcnt[pidx(pa)];
  if (*rc == 0 || *rc == 0xffff) panic("page_ref: page %p refcount %d", pa, *rc);
  ++*rc;
}

int page_refcount(void *pa) { return refcnt[pidx(pa)]; }
u32 free_pages(void) { return nfree; }
u32 total_pages(void) { return ntotal; }

/* ---- kernel heap ---- */
#define NCLASS 8 /* 32 .. 4096 bytes including the header */
#define KM_MAGIC 0x6b6d616c
struct kmhdr { u32 magic, cls, pad[2]; };
struct kmfree_chunk { struct kmfree_chunk *next; };
static struct kmfree_chunk *kmlists[NCLASS];

void *kmalloc(size_t n) {
  int cls = 0;
  while (cls < NCLASS && (32u << cls) < n + sizeof(struct kmhdr)) cls++;
  if (cls == NCLASS) panic("kmalloc: %u bytes is too big", (u32)n);
  u32 csize = 32u << cls;
  if (!kmlists[cls]) {
    u8 *page = kalloc();
    if (!page) return 0;
    for (u32 off = 0; off + csize <= PGSIZE; off += csize) {
      struct kmfree_chunk *c = (void *)(page + off);
      c->next = kmlists[cls];
      kmlists[cls] = c;
    }
  }
  struct kmfree_chunk *c = kmlists[cls];
  kmlists[cls] = c->next;
  struct kmhdr *h = (void *)c;
  memset(h, 0, csize);
  h->magic = KM_MAGIC;
  h->cls = cls;
  return h + 1;
}

void kmfree(void *p) {
  if (!p) return;
  struct kmhdr *h = (struct kmhdr *)p - 1;
  if (h->magic != KM_MAGIC || h->cls >= NCLASS) panic("kmfree: bad pointer %p", p);
  u32 cls = h->cls;
  h->magic = 0;
  struct kmfree_chunk *c = (void *)h;
  c->next = kmlists[cls];
  kmlists[cls] = c;
}
