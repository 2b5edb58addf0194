/* File system calls: open a file of the SD card's rvfs for reading (relative to the process' working folder), read it, close it. Each
 * process has NFILE descriptors, numbered from 3 (0-2 are the console). A read into memory the
 * process may not write kills it (as a fault would), like the virt OS. */
#include "proc.h"

#define FD_BASE 3
#define PATH_MAX_LEN 96

int64_t sys_open(struct proc *p, uint64_t path_va) {
  char path[PATH_MAX_LEN], full[PATH_MAX_LEN];
  if (!copy_user_string(path, path_va, sizeof path) || !fs_mounted()) return -1;
  if (!path_resolve(p->cwd, path, full, sizeof full)) return -1;
  uint32_t size, inum = fs_open(full, &size);
  if (!inum) return -1;
  for (unsigned i = 0; i < NFILE; i++) {
    if (p->files[i].used) continue;
    p->files[i].used = 1;
    p->files[i].inum = inum;
    p->files[i].off = 0;
    return FD_BASE + i;
  }
  return -1;
}

static struct open_file *file_of(struct proc *p, int64_t fd) {
  if (fd < FD_BASE || fd >= FD_BASE + NFILE || !p->files[fd - FD_BASE].used) return 0;
  return &p->files[fd - FD_BASE];
}

int64_t sys_read(struct proc *p, int64_t fd, uint64_t buf_va, uint64_t len) {
  struct open_file *f = file_of(p, fd);
  if (!f) return -1;
  if (!user_writable(buf_va, len)) return READ_BAD_BUFFER;
  int n = fs_read_at(f->inum, f->off, (void *)buf_va, len > 0x10000 ? 0x10000 : (unsigned)len);
  if (n < 0) return -1;
  f->off += (uint32_t)n;
  return n;
}

int64_t sys_close(struct proc *p, int64_t fd) {
  struct open_file *f = file_of(p, fd);
  if (!f) return -1;
  f->used = 0;
  return 0;
}
