/* Open files (shared between fork()ed processes, reference counted) and pipes. */
#include "kernel.h"

static struct file files[NFILE];

struct file *file_alloc(void) {
  for (int i = 0; i < NFILE; i++) {
    if (files[i].ref == 0) {
      memset(&files[i], 0, sizeof files[i]);
      files[i].ref = 1;
      return &files[i];
    }
  }
  return 0;
}

struct file *file_dup(struct file *f) {
  f->ref++;
  return f;
}

void file_close(struct file *f) {
  if (--f->ref > 0) return;
  struct file ff = *f;
  f->ref = 0;
  f->type = FD_NONE;
  if (ff.type == FD_PIPE) {
    pipe_close(ff.pipe, ff.writable);
  } else if (ff.type == FD_INODE) {
    fs_lock();
    iput(ff.ip);
    if (ff.dirty) fs_sync();
    fs_unlock();
  }
}

int file_read(struct file *f, u32 dst, u32 n) {
  if (!f->readable) return -1;
  switch (f->type) {
  case FD_CONSOLE: return console_read(dst, n);
  case FD_PIPE: return pipe_read(f->pipe, dst, n);
  case FD_INODE: {
    if (f->ip->d.type == T_DIR) return -1;
    fs_lock();
    int r = readi(f->ip, 1, dst, f->off, n);
    if (r > 0) f->off += r;
    fs_unlock();
    return r;
  }
  default: return -1;
  }
}

int file_write(struct file *f, u32 src, u32 n) {
  if (!f->writable) return -1;
  switch (f->type) {
  case FD_CONSOLE: return console_write(src, n);
  case FD_PIPE: return pipe_write(f->pipe, src, n);
  case FD_INODE: {
    fs_lock();
    if (f->append) f->off = f->ip->d.size;
    int r = writei(f->ip, 1, src, f->off, n);
    if (r > 0) f->off += r, f->dirty = 1;
    fs_unlock();
    return r;
  }
  default: return -1;
  }
}

/* ---- pipes ---- */
#define PIPESIZE 512
struct pipe {
  char data[PIPESIZE];
  u32 nread, nwrite;
  int readopen, writeopen;
};

int pipe_alloc(struct file **rf, struct file **wf) {
  struct pipe *pi = kmalloc(sizeof *pi);
  *rf = file_alloc();
  *wf = *rf ? file_alloc() : 0;
  if (!pi || !*wf) {
    kmfree(pi);
    if (*rf) file_close(*rf);
    if (*wf) file_close(*wf);
    return -1;
  }
  pi->readopen = pi->writeopen = 1;
  (*rf)->type = (*wf)->type = FD_PIPE;
  (*rf)->pipe = (*wf)->pipe = pi;
  (*rf)->readable = 1;
  (*wf)->writable = 1;
  return 0;
}

void pipe_close(struct pipe *pi, int writable) {
  if (writable) {
    pi->writeopen = 0;
    wakeup(&pi->nread);
  } else {
    pi->readopen = 0;
    wakeup(&pi->nwrite);
  }
  if (!pi->readopen && !pi->writeopen) kmfree(pi);
}

int pipe_write(struct pipe *pi, u32 src, u32 n) {
  struct proc *p = myproc();
  u32 done = 0;
  while (done < n) {
    if (!pi->readopen || p->killed) return done ? (int)done : -1;
    if (pi->nwrite == pi->nread + PIPESIZE) {
      wakeup(&pi->nread);
      sleep_on(&pi->nwrite);
      continue;
    }
    /* Copy as much as fits contiguously in the ring. */
    u32 space = PIPESIZE - (pi->nwrite - pi->nread), pos = pi->nwrite % PIPESIZE;
    u32 k = n - done;
    if (k > space) k = space;
    if (k > PIPESIZE - pos) k = PIPESIZE - pos;
    if (copyin(p->pagetable, &pi->data[pos], src + done, k) < 0) return -2;
    pi->nwrite += k;
    done += k;
  }
  wakeup(&pi->nread);
  return done;
}

int pipe_read(struct pipe *pi, u32 dst, u32 n) {
  struct proc *p = myproc();
  while (pi->nread == pi->nwrite && pi->writeopen) {
    if (p->killed) return -1;
    sleep_on(&pi->nread);
  }
  u32 done = 0;
  while (done < n && pi->nread != pi->nwrite) {
    u32 pos = pi->nread % PIPESIZE, k = pi->nwrite - pi->nread;
    if (k > PIPESIZE - pos) k = PIPESIZE - pos;
    if (k > n - done) k = n - done;
    if (copyout(p->pagetable, dst + done, &pi->data[pos], k) < 0) return -2;
    pi->nread += k;
    done += k;
  }
  wakeup(&pi->nwrite);
  return done;
}
