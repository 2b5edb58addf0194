/* System calls: ecall from U-mode with a7 = number, a0..a5 = arguments, result in a0. */
#include "kernel.h"
#include "abi.h"

static const char *syscall_name(u32 num);

/* Arguments come from the process' own trap frame (a system call may sleep meanwhile). */
static u32 arg(int n) { return myproc()->tf->regs[TF_A0 + n]; }

/* A bad user pointer kills the process (with the reason on the console). */
static int bad_address(u32 va) {
  kill_proc(myproc(), "bad address 0x%08x passed to %s()", va, syscall_name(myproc()->tf->regs[TF_A7]));
  return -1;
}

static int user_string(u32 va, char *buf, u32 max) {
  int n = copyinstr(myproc()->pagetable, buf, va, max);
  if (n < 0) {
    /* Distinguish a string that is too long from an unreadable one. */
    char c;
    if (copyin(myproc()->pagetable, &c, va, 1) < 0) return bad_address(va);
    return -1;
  }
  return n;
}

static struct file *fd_file(int fd) {
  struct proc *p = myproc();
  return fd >= 0 && fd < NOFILE ? p->ofile[fd] : 0;
}

static int fd_alloc(struct file *f) {
  struct proc *p = myproc();
  for (int fd = 0; fd < NOFILE; fd++) {
    if (!p->ofile[fd]) {
      p->ofile[fd] = f;
      return fd;
    }
  }
  return -1;
}

static int sys_exit(void) { exit_proc((int)arg(0)); }
static int sys_fork(void) { return fork(); }
static int sys_wait(void) { return wait(arg(0)); }
static int sys_getpid(void) { return myproc()->pid; }
static int sys_getppid(void) { return myproc()->parent ? myproc()->parent->pid : 0; }
static int sys_kill(void) {
  int pid = (int)arg(0);
  for (int i = 0; i < NPROC; i++) {
    struct proc *p = &procs[i];
    if (p->pid != pid || p->state == UNUSED || p->state == ZOMBIE) continue;
    if (p->pid == 1) return -1; /* init stays */
    if (!p->killed) kill_proc(p, "kill() from pid %d", myproc()->pid);
    return 0;
  }
  return -1;
}

static int sys_yield(void) {
  yield();
  return 0;
}

static int sys_exec(void) {
  struct proc *p = myproc();
  char path[MAXPATH];
  char *page = kalloc(), *argv[MAXARG + 1];
  int r = -1;
  if (!page) return -1;
  if (user_string(arg(0), path, sizeof path) < 0) goto out;
  u32 used = 0, uargv = arg(1);
  int argc = 0;
  for (;; argc++) {
    u32 ua;
    if (argc > MAXARG) goto out;
    if (copyin(p->pagetable, &ua, uargv + 4 * argc, 4) < 0) {
      bad_address(uargv + 4 * argc);
      goto out;
    }
    if (ua == 0) break;
    if (argc == MAXARG) goto out;
    int n = user_string(ua, page + used, PGSIZE - used);
    if (n < 0) goto out;
    argv[argc] = page + used;
    used += n + 1;
  }
  argv[argc] = 0;
  r = exec(path, argv);
out:
  kfree(page);
  return r;
}

static int sys_read(void) {
  struct file *f = fd_file(arg(0));
  u32 buf = arg(1), n = arg(2);
  if (!f) return -1;
  if (!user_range_ok(myproc()->pagetable, buf, n, 1)) return bad_address(buf);
  int r = file_read(f, buf, n);
  return r == -2 ? bad_address(buf) : r;
}

static int sys_write(void) {
  struct file *f = fd_file(arg(0));
  u32 buf = arg(1), n = arg(2);
  if (!f) return -1;
  if (!user_range_ok(myproc()->pagetable, buf, n, 0)) return bad_address(buf);
  int r = file_write(f, buf, n);
  return r == -2 ? bad_address(buf) : r;
}

static int sys_open(void) {
  char path[MAXPATH];
  u32 flags = arg(1);
  if (user_string(arg(0), path, sizeof path) < 0) return -1;
  if (fs_readonly && (flags & (O_WRONLY | O_RDWR | O_CREATE | O_TRUNC))) return -1;
  fs_lock();
  struct inode *ip = flags & O_CREATE ? create(path, T_FILE) : namei(path);
  if (!ip || (ip->d.type == T_DIR && (flags & (O_WRONLY | O_RDWR)))) {
    if (ip) iput(ip);
    fs_unlock();
    return -1;
  }
  if ((flags & O_TRUNC) && ip->d.type == T_FILE && ip->d.size) itrunc(ip);
  fs_unlock();
  struct file *f = file_alloc();
  int fd = f ? fd_alloc(f) : -1;
  if (fd < 0) {
    if (f) file_close(f);
    fs_lock();
    iput(ip);
    fs_unlock();
    return -1;
  }
  f->type = FD_INODE;
  f->ip = ip;
  f->readable = !(flags & O_WRONLY);
  f->writable = (flags & (O_WRONLY | O_RDWR)) != 0;
  f->append = (flags & O_APPEND) != 0;
  return fd;
}

static int sys_close(void) {
  struct file *f = fd_file(arg(0));
  if (!f) return -1;
  myproc()->ofile[arg(0)] = 0;
  file_close(f);
  return 0;
}

static int sys_dup(void) {
  struct file *f = fd_file(arg(0));
  if (!f) return -1;
  int fd = fd_alloc(f);
  if (fd >= 0) file_dup(f);
  return fd;
}

static int sys_pipe(void) {
  struct proc *p = myproc();
  struct file *rf, *wf;
  u32 ufds = arg(0);
  if (!user_range_ok(p->pagetable, ufds, 8, 1)) return bad_address(ufds);
  if (pipe_alloc(&rf, &wf) < 0) return -1;
  int fds[2] = {fd_alloc(rf), -1};
  if (fds[0] >= 0) fds[1] = fd_alloc(wf);
  if (fds[1] < 0) {
    if (fds[0] >= 0) p->ofile[fds[0]] = 0;
    file_close(rf);
    file_close(wf);
    return -1;
  }
  copyout(p->pagetable, ufds, fds, sizeof fds);
  return 0;
}

static int sys_sbrk(void) {
  struct proc *p = myproc();
  int n = (int)arg(0);
  u32 old = p->brk, new = old + n;
  if (n > 0 && (new < old || new > SHM_BASE)) return -1;
  if (n < 0 && (new > old || new < p->heap_base)) return -1;
  if (n > 0 && !uvm_grow(p->pagetable, old, new, PTE_R | PTE_W)) return -1;
  if (n < 0) uvm_shrink(p->pagetable, old, new);
  p->brk = new;
  return old;
}

static int sys_sleep(void) {
  struct proc *p = myproc();
  u32 ms = arg(0);
  p->wake_at = rdtime() + (u64)ms * (machine.timebase / 1000);
  if (ms == 0) p->wake_at = 0;
  while (p->wake_at && !p->killed) sleep_on(p);
  p->wake_at = 0;
  return 0;
}

static int sys_shm(void) { return (int)shm_map((int)arg(0), arg(1)); }

static int sys_readdir(void) {
  struct proc *p = myproc();
  struct file *f = fd_file(arg(0));
  u32 out = arg(1);
  if (!f || f->type != FD_INODE || f->ip->d.type != T_DIR) return -1;
  if (!user_range_ok(p->pagetable, out, sizeof(struct dirinfo), 1)) return bad_address(out);
  struct dirent de;
  struct dirinfo di;
  fs_lock();
  int r = dir_next(f->ip, &f->off, &de);
  if (r) {
    memset(&di, 0, sizeof di);
    di.inum = de.inum;
    memcpy(di.name, de.name, DIRSIZ);
    di.name[NAME_MAX] = 0;
    struct inode *ip = iget(de.inum);
    if (ip) {
      di.type = ip->d.type;
      di.size = ip->d.size;
      iput(ip);
    }
  }
  fs_unlock();
  if (r) copyout(p->pagetable, out, &di, sizeof di);
  return r;
}

static int sys_fstat(void) {
  struct proc *p = myproc();
  struct file *f = fd_file(arg(0));
  u32 out = arg(1);
  struct stat st = {0};
  if (!f) return -1;
  if (!user_range_ok(p->pagetable, out, sizeof st, 1)) return bad_address(out);
  if (f->type == FD_CONSOLE) st.type = S_CONSOLE;
  else if (f->type == FD_PIPE) st.type = S_PIPE;
  else {
    st.type = f->ip->d.type;
    st.inum = f->ip->inum;
    st.size = f->ip->d.size;
    st.nlink = f->ip->d.nlink;
  }
  copyout(p->pagetable, out, &st, sizeof st);
  return 0;
}

static int sys_mkdir(void) {
  char path[MAXPATH];
  if (user_string(arg(0), path, sizeof path) < 0) return -1;
  fs_lock();
  struct inode *ip = create(path, T_DIR);
  if (ip) iput(ip);
  fs_unlock();
  return ip ? 0 : -1;
}

static int sys_unlink(void) {
  char path[MAXPATH];
  if (user_string(arg(0), path, sizeof path) < 0) return -1;
  fs_lock();
  int r = fs_unlink(path);
  fs_unlock();
  return r;
}

static int sys_chdir(void) {
  struct proc *p = myproc();
  char path[MAXPATH];
  if (user_string(arg(0), path, sizeof path) < 0) return -1;
  fs_lock();
  struct inode *ip = namei(path);
  if (!ip || ip->d.type != T_DIR) {
    if (ip) iput(ip);
    fs_unlock();
    return -1;
  }
  iput(p->cwd);
  p->cwd = ip;
  fs_unlock();
  return 0;
}

static int sys_procs(void) {
  struct proc *p = myproc();
  u32 out = arg(0);
  int n = (int)arg(1);
  if (n < 0 || n > NPROC) n = NPROC;
  if (!user_range_ok(p->pagetable, out, n * sizeof(struct procinfo), 1)) return bad_address(out);
  struct procinfo *buf = kalloc();
  if (!buf) return -1;
  int k = proc_list(buf, n);
  copyout(p->pagetable, out, buf, k * sizeof(struct procinfo));
  kfree(buf);
  return k;
}

static int sys_shutdown(void) {
  kprintf("kernel: power off\n");
  fs_lock();
  fs_sync();
  sbi_shutdown(0);
}

static int sys_uptime(void) { return (int)now_ms(); }

static int sys_meminfo(void) {
  struct proc *p = myproc();
  u32 out = arg(0);
  if (!user_range_ok(p->pagetable, out, sizeof(struct meminfo), 1)) return bad_address(out);
  struct meminfo mi = {total_pages(), free_pages(), PGSIZE, 0};
  fs_lock();
  mi.free_blocks = fs_free_blocks();
  fs_unlock();
  copyout(p->pagetable, out, &mi, sizeof mi);
  return 0;
}

static const struct { int (*fn)(void); const char *name; } calls[] = {
    [SYS_exit] = {sys_exit, "exit"},       [SYS_fork] = {sys_fork, "fork"},
    [SYS_wait] = {sys_wait, "wait"},       [SYS_exec] = {sys_exec, "exec"},
    [SYS_getpid] = {sys_getpid, "getpid"}, [SYS_read] = {sys_read, "read"},
    [SYS_write] = {sys_write, "write"},    [SYS_open] = {sys_open, "open"},
    [SYS_close] = {sys_close, "close"},    [SYS_sbrk] = {sys_sbrk, "sbrk"},
    [SYS_sleep] = {sys_sleep, "sleep"},    [SYS_yield] = {sys_yield, "yield"},
    [SYS_pipe] = {sys_pipe, "pipe"},       [SYS_shm] = {sys_shm, "shm"},
    [SYS_readdir] = {sys_readdir, "readdir"}, [SYS_fstat] = {sys_fstat, "fstat"},
    [SYS_mkdir] = {sys_mkdir, "mkdir"},    [SYS_chdir] = {sys_chdir, "chdir"},
    [SYS_dup] = {sys_dup, "dup"},          [SYS_procs] = {sys_procs, "procs"},
    [SYS_shutdown] = {sys_shutdown, "shutdown"}, [SYS_uptime] = {sys_uptime, "uptime"},
    [SYS_meminfo] = {sys_meminfo, "meminfo"}, [SYS_unlink] = {sys_unlink, "unlink"},
    [SYS_getppid] = {sys_getppid, "getppid"}, [SYS_kill] = {sys_kill, "kill"},
};

static const char *syscall_name(u32 num) {
  return num < sizeof calls / sizeof calls[0] && calls[num].fn ? calls[num].name : "?";
}

void syscall(struct trapframe *frame) {
  u32 num = frame->regs[TF_A7];
  if (num >= sizeof calls / sizeof calls[0] || !calls[num].fn) {
    kill_proc(myproc(), "unknown system call %u", num);
    return;
  }
  int r = calls[num].fn();
  frame->regs[TF_A0] = (u32)r;
}
