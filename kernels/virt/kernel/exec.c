/* exec: replaces the process image with an ELF32 RISC-V executable from the file system. */
#include "kernel.h"

#define ELF_MAGIC 0x464c457fu
#define EM_RISCV 243
#define ET_EXEC 2
#define PT_LOAD 1
#define PF_X 1
#define PF_W 2
#define PF_R 4

struct elfhdr {
  u32 magic;
  u8 class, data, version, osabi, pad[8];
  u16 type, machine;
  u32 version2, entry, phoff, shoff, flags;
  u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct proghdr { u32 type, off, vaddr, paddr, filesz, memsz, flags, align; };

static int load_segment(pagetable_t pt, struct inode *ip, struct proghdr *ph) {
  u32 perm = PTE_U;
  if (ph->flags & PF_R) perm |= PTE_R;
  if (ph->flags & PF_W) perm |= PTE_W | PTE_R;
  if (ph->flags & PF_X) perm |= PTE_X;
  for (u32 va = PGROUNDDOWN(ph->vaddr); va < ph->vaddr + ph->memsz; va += PGSIZE) {
    pte_t *pte = walk(pt, va, 1);
    if (!pte) return -1;
    if (*pte & PTE_V) {
      *pte |= perm | ((perm & PTE_W) ? PTE_D : 0); /* a page shared by two segments */
      continue;
    }
    void *pa = kalloc();
    if (!pa) return -1;
    *pte = PA2PTE(pa) | perm | PTE_A | ((perm & PTE_W) ? PTE_D : 0) | PTE_V;
  }
  /* File contents, through the kernel's identity map of the new pages. */
  for (u32 done = 0; done < ph->filesz;) {
    u32 va = ph->vaddr + done, k = PGSIZE - (va & (PGSIZE - 1));
    if (k > ph->filesz - done) k = ph->filesz - done;
    u32 pa = PTE2PA(*walk(pt, va, 0)) + (va & (PGSIZE - 1));
    if (readi(ip, 0, pa, ph->off + done, k) != (int)k) return -1;
    done += k;
  }
  return 0;
}

int exec(const char *path, char **argv) {
  struct proc *p = myproc();
  struct elfhdr eh;
  struct proghdr ph;
  pagetable_t pt = 0;
  u32 end = 0;
  int locked = 1;

  fs_lock();
  struct inode *ip = namei(path);
  if (!ip) goto bad;
  if (ip->d.type != T_FILE || readi(ip, 0, (u32)&eh, 0, sizeof eh) != sizeof eh) goto bad;
  if (eh.magic != ELF_MAGIC || eh.class != 1 || eh.machine != EM_RISCV || eh.type != ET_EXEC) goto bad;
  if (!(pt = uvm_create())) goto bad;
  for (u32 i = 0; i < eh.phnum; i++) {
    if (readi(ip, 0, (u32)&ph, eh.phoff + i * sizeof ph, sizeof ph) != sizeof ph) goto bad;
    if (ph.type != PT_LOAD || ph.memsz == 0) continue;
    if (ph.memsz < ph.filesz || ph.vaddr < USER_BASE || ph.vaddr + ph.memsz < ph.vaddr ||
        ph.vaddr + ph.memsz > SHM_BASE)
      goto bad;
    if (load_segment(pt, ip, &ph) < 0) goto bad;
    if (ph.vaddr + ph.memsz > end) end = ph.vaddr + ph.memsz;
  }
  iput(ip);
  fs_unlock();
  ip = 0;
  locked = 0;

  /* The stack, with argc strings and the argv array on top (16-byte aligned). */
  u32 sp = USTACK_TOP, uargv[MAXARG + 1];
  int argc = 0;
  if (!uvm_grow(pt, USTACK_TOP - USTACK_PAGES * PGSIZE, USTACK_TOP, PTE_R | PTE_W)) goto bad;
  for (; argv[argc]; argc++) {
    if (argc >= MAXARG) goto bad;
    u32 len = strlen(argv[argc]) + 1;
    sp = (sp - len) & ~3u;
    if (copyout(pt, sp, argv[argc], len) < 0) goto bad;
    uargv[argc] = sp;
  }
  uargv[argc] = 0;
  sp = (sp - (argc + 1) * 4) & ~15u;
  if (copyout(pt, sp, uargv, (argc + 1) * 4) < 0) goto bad;

  /* Commit: the old image goes. */
  const char *last = path, *s;
  for (s = path; *s; s++)
    if (*s == '/') last = s + 1;
  safestrcpy(p->name, last, sizeof p->name);
  pagetable_t old = p->pagetable;
  p->pagetable = pt;
  switch_pagetable(pt);
  uvm_free(old);
  p->heap_base = p->brk = PGROUNDUP(end);
  p->shm_mask = 0;
  memset(p->tf, 0, sizeof *p->tf);
  p->tf->sstatus = SSTATUS_SPIE;
  p->tf->sepc = eh.entry;
  p->tf->regs[TF_SP] = sp;
  p->tf->regs[TF_A1] = sp;
  return argc; /* becomes a0 */

bad:
  if (pt) uvm_free(pt);
  if (ip) iput(ip);
  if (locked) fs_unlock();
  return -1;
}
