/* Processes: ring 3 programs (ELF files: multiboot modules or /bin on the disk), each with its
 * own page directory and an 8 KiB kernel stack, where the trap entry saves its frame (the TSS
 * esp0): switching is returning another process' frame from trap(). Slot 0 is the kernel's own
 * thread (the boot code, later the shell), which runs in ring 0 on the boot stack and gives the
 * CPU away with kyield() (int 0x80 from ring 0). The kernel is not preemptible: the PIT tick
 * switches only when it interrupts ring 3. System calls: int 0x80, number in eax, arguments in
 * ebx, ecx, edx, result in eax (raspi3b's user/abi.h numbers, plus SYS_TICKS). */
#include "pc.h"
#include "user/abi.h"

enum { FREE, READY, SLEEPING, ZOMBIE };
#define NFILES 4
#define FD0 3
struct proc {
  int state, pid, exit_code;
  char name[16];
  uint32_t *pgdir;
  uint8_t *kstack;
  struct trapframe *tf;
  unsigned preempted;
  uint64_t wake;
  struct file { uint32_t inum, off; } files[NFILES]; /* fds 3.. ; inum 0: closed */
};
#define KSTACK 8192

static struct proc procs[NPROC];
static struct proc *cur = &procs[0];
static int next_pid = 2;
volatile uint64_t ticks;
int preemption;

void proc_init(void) {
  procs[0].state = READY;
  procs[0].pid = 1;
  strncpy(procs[0].name, "kernel", sizeof procs[0].name);
  procs[0].pgdir = kernel_pgdir;
}

/* The next READY process after cur in slot order, or cur itself if none (or 0 if cur cannot run). */
static struct proc *pick(void) {
  for (unsigned i = 1; i <= NPROC; i++) {
    struct proc *p = &procs[(unsigned)(cur - procs + i) % NPROC];
    if (p->state == READY) return p;
  }
  return 0;
}

static struct trapframe *switch_to(struct proc *p) {
  cur = p;
  tss_set_esp0((uint32_t)(p->kstack ? p->kstack + KSTACK : 0));
  load_cr3(p->pgdir);
  return p->tf;
}

static struct trapframe *schedule(struct trapframe *f) {
  cur->tf = f;
  struct proc *p = pick();
  if (!p) p = &procs[0]; /* the kernel thread is always READY */
  return switch_to(p);
}

/* 1 if another process than the caller could run now. */
int proc_others_ready(void) {
  for (unsigned i = 0; i < NPROC; i++)
    if (&procs[i] != cur && procs[i].state == READY) return 1;
  return 0;
}

void kyield(void) { __asm__ volatile("int $0x80" ::"a"(SYS_YIELD) : "memory"); }

/* Waits for something to happen: another process runs, or the CPU halts until an interrupt. */
void proc_idle(void) {
  if (proc_others_ready()) {
    __asm__ volatile("sti");
    kyield();
  } else {
    __asm__ volatile("sti; hlt");
  }
}

static struct trapframe *end_process(struct trapframe *f, int code) {
  cur->exit_code = code;
  cur->state = ZOMBIE;
  load_cr3(kernel_pgdir); /* its pages go back now; its kernel stack (in use) when reaped */
  pgdir_free(cur->pgdir);
  cur->pgdir = kernel_pgdir;
  return schedule(f);
}

struct trapframe *proc_fault(struct trapframe *f, const char *what) {
  uint32_t cr2;
  __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
  printf("kernel: killed pid %d (%s): %s (error 0x%x) at eip=0x%08x", cur->pid, cur->name, what, f->err, f->eip);
  if (f->vector == 14) printf(", cr2=0x%08x", cr2);
  printf("\n");
  return end_process(f, -1);
}

struct trapframe *proc_tick(struct trapframe *f) {
  ticks++;
  for (unsigned i = 0; i < NPROC; i++)
    if (procs[i].state == SLEEPING && ticks >= procs[i].wake) procs[i].state = READY;
  if (!preemption || !(f->cs & 3)) return f;
  cur->preempted++;
  return schedule(f);
}

/* 1 if [va, va + len) is user memory the process may read (write: and write). */
static int user_range(uint32_t va, uint32_t len, int write) {
  if (va < USER_BASE || va + len < va || va + len > USER_STACK_TOP) return 0;
  for (uint32_t page = va & ~(PAGE - 1); page < va + len; page += PAGE) {
    uint32_t pte = page_lookup(cur->pgdir, page);
    if (!(pte & PTE_U) || (write && !(pte & PTE_W))) return 0;
  }
  return 1;
}

struct trapframe *proc_syscall(struct trapframe *f) {
  uint32_t a = f->ebx, b = f->ecx, c = f->edx;
  switch (f->eax) {
  case SYS_WRITE:
    if (a != 1 && a != 2) {
      f->eax = (uint32_t)-1; /* only the console */
      return f;
    }
    if (!user_range(b, c, 0)) {
      printf("kernel: killed pid %d (%s): bad pointer 0x%08x passed to write\n", cur->pid, cur->name, b);
      return end_process(f, -1);
    }
    for (uint32_t i = 0; i < c; i++) uart_putc(((const char *)b)[i]);
    f->eax = c;
    return f;
  case SYS_EXIT: return end_process(f, (int)a);
  case SYS_GETPID: f->eax = (uint32_t)cur->pid; return f;
  case SYS_YIELD: f->eax = 0; return schedule(f);
  case SYS_SLEEP:
    f->eax = 0;
    cur->wake = ticks + (a * TICK_HZ + 999) / 1000 + 1; /* at least a ms: one tick more */
    cur->state = SLEEPING;
    return schedule(f);
  case SYS_PREEMPTED: f->eax = cur->preempted; return f;
  case SYS_TICKS: f->eax = (uint32_t)ticks; return f;
  case SYS_OPEN: {
    /* A file of the disk, read-only; relative paths from the shell's working folder. */
    char name[PATH_MAX], path[PATH_MAX];
    unsigned n = 0;
    while (n < PATH_MAX - 1 && user_range(a + n, 1, 0) && ((const char *)a)[n]) name[n] = ((const char *)a)[n], n++;
    if (!user_range(a + n, 1, 0)) {
      printf("kernel: killed pid %d (%s): bad pointer 0x%08x passed to open\n", cur->pid, cur->name, a);
      return end_process(f, -1);
    }
    name[n] = 0;
    uint32_t size, inum = fs_mounted() && path_resolve(shell_cwd(), name, path, PATH_MAX) ? fs_open(path, &size) : 0;
    f->eax = (uint32_t)-1;
    for (unsigned i = 0; i < NFILES && inum; i++)
      if (!cur->files[i].inum) {
        cur->files[i].inum = inum, cur->files[i].off = 0;
        f->eax = FD0 + i;
        break;
      }
    return f;
  }
  case SYS_READ: {
    struct file *file = a >= FD0 && a < FD0 + NFILES && cur->files[a - FD0].inum ? &cur->files[a - FD0] : 0;
    if (a == 0) { f->eax = 0; return f; } /* console input belongs to the shell: end of file */
    if (!file) { f->eax = (uint32_t)-1; return f; }
    if (!user_range(b, c, 1)) {
      printf("kernel: killed pid %d (%s): bad pointer 0x%08x passed to read\n", cur->pid, cur->name, b);
      return end_process(f, -1);
    }
    int got = fs_read_at(file->inum, file->off, (void *)b, c);
    if (got > 0) file->off += (uint32_t)got;
    f->eax = (uint32_t)got;
    return f;
  }
  case SYS_CLOSE:
    f->eax = (uint32_t)-1;
    if (a >= FD0 && a < FD0 + NFILES && cur->files[a - FD0].inum) cur->files[a - FD0].inum = 0, f->eax = 0;
    return f;
  default: f->eax = (uint32_t)-1; return f;
  }
}

/* ELF32 (System V ABI, i386 supplement): the header and program headers used here. */
struct elf_header {
  uint8_t ident[16];
  uint16_t type, machine;
  uint32_t version, entry, phoff, shoff, flags;
  uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct elf_phdr {
  uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};

static int load_segments(uint32_t *pd, const uint8_t *elf, uint32_t size) {
  const struct elf_header *h = (const void *)elf;
  if (size < sizeof *h || h->ident[0] != 0x7f || h->ident[1] != 'E' || h->ident[4] != 1 || h->machine != 3) return 0;
  for (unsigned i = 0; i < h->phnum; i++) {
    const struct elf_phdr *ph = (const void *)(elf + h->phoff + i * h->phentsize);
    if (ph->type != 1) continue; /* PT_LOAD */
    if (ph->offset + ph->filesz > size || ph->filesz > ph->memsz) return 0;
    for (uint32_t va = ph->vaddr & ~(PAGE - 1); va < ph->vaddr + ph->memsz; va += PAGE) {
      uint32_t pa = page_lookup(pd, va) & ~0xfffu;
      if (!pa) {
        if (!(pa = frame_alloc()) || !page_map(pd, va, pa, PTE_U | (ph->flags & 2 ? PTE_W : 0))) return 0;
      }
      for (uint32_t at = va < ph->vaddr ? ph->vaddr : va; at < va + PAGE && at < ph->vaddr + ph->filesz; at++)
        ((uint8_t *)pa)[at - va] = elf[ph->offset + at - ph->vaddr];
    }
  }
  return 1;
}

#define STACK_PAGES 4
/* argc/argv on the top stack page: the strings, the argv array, then argc and argv for
 * main(argc, argv) under a zero return address (crt0 calls main). */
static uint32_t setup_stack(uint32_t *pd, int argc, char **argv) {
  uint32_t top = 0;
  for (unsigned i = 1; i <= STACK_PAGES; i++) {
    uint32_t pa = frame_alloc();
    if (!pa || !page_map(pd, USER_STACK_TOP - i * PAGE, pa, PTE_U | PTE_W)) return 0;
    if (i == 1) top = pa + PAGE;
  }
  uint32_t sp = USER_STACK_TOP, uargv[8];
  uint8_t *k = (uint8_t *)top;
  if (argc > 8) argc = 8;
  for (int i = argc - 1; i >= 0; i--) {
    unsigned n = strlen(argv[i]) + 1;
    if (n > 256) n = 256;
    sp -= n;
    memcpy(k - (USER_STACK_TOP - sp), argv[i], n);
    k[-(int)(USER_STACK_TOP - sp) + n - 1] = 0;
    uargv[i] = sp;
  }
  sp &= ~3u;
  sp -= 4 * (argc + 1);
  uint32_t *w = (uint32_t *)(k - (USER_STACK_TOP - sp));
  for (int i = 0; i < argc; i++) w[i] = uargv[i];
  w[argc] = 0;
  uint32_t argv_at = sp;
  sp -= 12;
  w = (uint32_t *)(k - (USER_STACK_TOP - sp));
  w[0] = 0, w[1] = (uint32_t)argc, w[2] = argv_at;
  return sp + 4; /* crt0's `call main` pushes the return address */
}

int proc_spawn(const void *elf, uint32_t size, const char *name, int argc, char **argv) {
  struct proc *p = 0;
  for (unsigned i = 1; i < NPROC && !p; i++)
    if (procs[i].state == FREE) p = &procs[i];
  if (!p) return -1;
  uint32_t *pd = pgdir_new();
  uint32_t sp = 0;
  if (!pd || !load_segments(pd, elf, size) || !(sp = setup_stack(pd, argc, argv))) {
    if (pd) pgdir_free(pd);
    return -1;
  }
  if (!p->kstack && !(p->kstack = malloc(KSTACK))) {
    pgdir_free(pd);
    return -1;
  }
  struct trapframe *f = (struct trapframe *)(p->kstack + KSTACK) - 1;
  memset(f, 0, sizeof *f);
  f->ds = f->es = f->fs = f->gs = f->ss = UDATA;
  f->cs = UCODE;
  f->eip = ((const struct elf_header *)elf)->entry;
  f->esp = sp;
  f->eflags = 0x202; /* IF */
  p->tf = f;
  p->pgdir = pd;
  p->pid = next_pid++;
  p->preempted = 0;
  memset(p->files, 0, sizeof p->files);
  strncpy(p->name, name, sizeof p->name - 1);
  p->state = READY;
  return p->pid;
}

static struct proc *find(int pid) {
  for (unsigned i = 1; i < NPROC; i++)
    if (procs[i].state != FREE && procs[i].pid == pid) return &procs[i];
  return 0;
}

int proc_wait(int pid) {
  struct proc *p = find(pid);
  if (!p) return -1;
  for (;;) {
    __asm__ volatile("cli");
    if (p->state == ZOMBIE) break;
    proc_idle();
  }
  __asm__ volatile("sti");
  p->state = FREE; /* the kernel stack stays with the slot */
  return p->exit_code;
}

/* Only the shell kills, so the victim is not running: its slot is free at once. */
int proc_kill(int pid) {
  struct proc *p = find(pid);
  if (!p) return -1;
  if (p->state != ZOMBIE) pgdir_free(p->pgdir);
  p->pgdir = kernel_pgdir;
  p->state = FREE;
  return 0;
}

/* Background processes that ended: nobody waits for them. */
void proc_reap(void) {
  for (unsigned i = 1; i < NPROC; i++)
    if (procs[i].state == ZOMBIE) procs[i].state = FREE;
}

void proc_ps(void) {
  static const char *const states[] = {"free", "ready", "sleeping", "zombie"};
  printf("  PID STATE    NAME\n");
  for (unsigned i = 0; i < NPROC; i++)
    if (procs[i].state != FREE) printf("  %3d %s%s %s\n", procs[i].pid, states[procs[i].state],
                                       procs[i].state == READY ? "   " : procs[i].state == ZOMBIE ? "  " : "", procs[i].name);
}
