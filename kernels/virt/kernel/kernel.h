/* rvos teaching kernel: shared declarations. */
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "riscv.h"

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define NPROC 32           /* process slots */
#define NOFILE 16          /* open files per process */
#define NFILE 64           /* open files in the system */
#define KSTACK_SIZE 8192   /* kernel stack per process */
#define MAXARG 16          /* exec arguments */
#define MAXPATH 128

/* User address space (below the kernel's identity-mapped RAM at 0x80000000). */
#define USER_BASE 0x00001000u
#define USER_TOP 0x80000000u
#define USTACK_TOP 0x7fff0000u      /* stack grows down from here */
#define USTACK_PAGES 8
#define SHM_BASE 0x40000000u        /* shared memory segments: SHM_BASE + id * SHM_SLOT */
#define SHM_SLOT 0x00100000u
#define NSHM 8
#define SHM_MAX_PAGES 16
#define IO_BASE 0xf0000000u         /* ioremap window for device registers */

/* ---- lib.c ---- */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strncpy(char *d, const char *s, size_t n);
void safestrcpy(char *d, const char *s, size_t n);

/* ---- printf.c ---- */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...);
void kprintf(const char *fmt, ...);
void panic(const char *fmt, ...) __attribute__((noreturn));
#define ASSERT(c) do { if (!(c)) panic("assertion failed: %s (%s:%d)", #c, __FILE__, __LINE__); } while (0)

/* ---- sbi.c ---- */
struct sbiret { long error; long value; };
struct sbiret sbi_call(u32 eid, u32 fid, u32 a0, u32 a1, u32 a2);
void sbi_init(void);
void sbi_console_write(const char *s, size_t n);
void sbi_set_timer(u64 t);
void sbi_shutdown(int failure) __attribute__((noreturn));
long sbi_hart_status(u32 hart);
extern int sbi_has_dbcn, sbi_has_time, sbi_has_srst, sbi_has_hsm;
extern u32 sbi_spec_version, sbi_impl_id, sbi_impl_version;

/* ---- fdt.c: what the device tree tells us ---- */
#define MAX_REGIONS 8
#define MAX_VIRTIO 8
struct region { u32 base, size; int nomap; };
struct machine {
  u32 ram_base, ram_size;
  struct region resv[MAX_REGIONS];     /* /reserved-memory and the FDT memory reservation block */
  int nresv;
  u32 dtb_base, dtb_size;
  u32 timebase;                        /* Hz */
  int nharts;
  u32 hartids[16];
  u32 uart_base, uart_irq;
  u32 plic_base, plic_size, plic_ndev;
  int plic_context;                    /* S-mode context of the boot hart, -1 if unknown */
  u32 virtio_base[MAX_VIRTIO], virtio_irq[MAX_VIRTIO];
  int nvirtio;
  char model[48];
  char bootargs[64];
};
extern struct machine machine;
extern u32 boot_hartid;
int fdt_parse(const void *dtb, u32 hartid, struct machine *m);

/* ---- kalloc.c ---- */
void kinit(void);
void *kalloc(void);           /* one zeroed page, or 0 */
void kfree(void *pa);         /* drop one reference; the page is freed at zero */
void page_ref(void *pa);      /* one more reference */
int page_refcount(void *pa);
u32 free_pages(void);
u32 total_pages(void);
void *kmalloc(size_t n);      /* n <= 4080 bytes, zeroed */
void kmfree(void *p);
u32 boot_alloc_end(void);

/* ---- vm.c ---- */
typedef u32 pte_t;
typedef u32 *pagetable_t;
extern pagetable_t kernel_pagetable;
void kvm_init(void);
void *ioremap(u32 pa, u32 size);
pte_t *walk(pagetable_t pt, u32 va, int alloc);
int map_page(pagetable_t pt, u32 va, u32 pa, u32 perm);
pagetable_t uvm_create(void);
void uvm_free(pagetable_t pt);
int uvm_cow_copy(pagetable_t from, pagetable_t to);
u32 uvm_grow(pagetable_t pt, u32 oldsz, u32 newsz, u32 perm);
u32 uvm_shrink(pagetable_t pt, u32 oldsz, u32 newsz);
void uvm_unmap(pagetable_t pt, u32 va, u32 npages);
int cow_fault(pagetable_t pt, u32 va);
int copyout(pagetable_t pt, u32 dstva, const void *src, u32 len);
int copyin(pagetable_t pt, void *dst, u32 srcva, u32 len);
int copyinstr(pagetable_t pt, char *dst, u32 srcva, u32 max);
int user_range_ok(pagetable_t pt, u32 va, u32 len, int write);
void switch_pagetable(pagetable_t pt);

/* ---- proc.c ---- */
struct trapframe {
  u32 regs[32];   /* x0 unused */
  u32 sepc, sstatus, scause, stval;
};
#define TF_RA 1
#define TF_SP 2
#define TF_A0 10
#define TF_A1 11
#define TF_A2 12
#define TF_A3 13
#define TF_A7 17

struct context { u32 ra, sp, s[12]; };

enum procstate { UNUSED, EMBRYO, SLEEPING, RUNNABLE, RUNNING, ZOMBIE };
struct file;
struct inode;
struct proc {
  enum procstate state;
  int pid;
  char name[16];
  struct proc *parent;
  pagetable_t pagetable;
  u32 brk;                    /* end of the heap (sbrk) */
  u32 heap_base;
  struct trapframe *tf;       /* top of the kernel stack */
  struct context ctx;
  u8 *kstack;
  const void *chan;           /* sleeping on */
  u64 wake_at;                /* sleep(): wake-up time (timebase ticks), 0 = none */
  int killed;
  int xstatus;
  struct file *ofile[NOFILE];
  struct inode *cwd;
  u32 shm_mask;               /* shared memory segments mapped */
  u32 ticks;                  /* timer ticks while running */
};
extern struct proc procs[NPROC];
struct proc *myproc(void);
void user_init(void);
void scheduler(void) __attribute__((noreturn));
void sched(void);
void yield(void);
void sleep_on(const void *chan);
void wakeup(const void *chan);
int fork(void);
void exit_proc(int status) __attribute__((noreturn));
int wait(u32 status_va);
struct procinfo;
int proc_list(struct procinfo *out, int n);
void kill_proc(struct proc *p, const char *fmt, ...);
void wake_sleepers(u64 now);
extern volatile int need_resched;

/* ---- trap.c ---- */
void trap_init(void);
void trap_handler(struct trapframe *tf);
void trap_return(struct trapframe *tf) __attribute__((noreturn));
void user_return(void) __attribute__((noreturn));
extern volatile u64 ticks;
extern u32 tick_interval;
u64 now_ms(void);
const char *exception_name(u32 cause);

/* ---- syscall.c ---- */
void syscall(struct trapframe *tf);

/* ---- console.c / uart.c / plic.c ---- */
void console_intr(int c);
int console_read(u32 dst, u32 n);
int console_write(u32 src, u32 n);
void uart_init(void);
void uart_intr(void);
extern int uart_ok;
void plic_init(void);
void plic_enable(u32 irq);
u32 plic_claim(void);
void plic_complete(u32 irq);

/* ---- virtio_blk.c ---- */
int virtio_probe(void);
void virtio_blk_rw(void *buf, u32 sector, u32 nsectors, int write);
void virtio_blk_flush(void);
void virtio_blk_intr(void);
extern u32 virtio_blk_irq;
extern int virtio_blk_ok, virtio_blk_ro;

/* ---- fs.c: rvfs ---- */
#define BSIZE 1024
#define RVFS_MAGIC 0x53465652u
#define T_FILE 1
#define T_DIR 2
#define NDIRECT 12
#define NINDIRECT (BSIZE / 4)
#define DIRSIZ 28
struct superblock {
  u32 magic, version, block_size, total_blocks, inode_count, bitmap_start, bitmap_blocks,
      inode_start, inode_blocks, data_start, root_inode;
};
struct dinode { u16 type, nlink; u32 size; u32 addrs[NDIRECT + 1]; u32 reserved; };
struct dirent { u32 inum; char name[DIRSIZ]; };
struct inode {
  u32 inum;
  int ref;
  int valid;
  struct dinode d;
};
extern struct superblock sb;
extern int fs_readonly;
int fs_init(void);
void fs_lock(void);
void fs_unlock(void);
struct inode *iget(u32 inum);
struct inode *idup(struct inode *ip);
void iput(struct inode *ip);
int readi(struct inode *ip, int user, u32 dst, u32 off, u32 n);
int writei(struct inode *ip, int user, u32 src, u32 off, u32 n);
struct inode *namei(const char *path);
struct inode *nameiparent(const char *path, char *name);
struct inode *create(const char *path, int type);
int dir_next(struct inode *dp, u32 *off, struct dirent *de);
void itrunc(struct inode *ip);
int fs_unlink(const char *path);
u32 fs_free_blocks(void);
void fs_sync(void);

/* ---- file.c ---- */
enum ftype { FD_NONE, FD_CONSOLE, FD_PIPE, FD_INODE };
struct pipe;
struct file {
  enum ftype type;
  int ref;
  int readable, writable, append;
  struct pipe *pipe;
  struct inode *ip;
  u32 off;
  int dirty;
};
struct file *file_alloc(void);
struct file *file_dup(struct file *f);
void file_close(struct file *f);
int file_read(struct file *f, u32 dst, u32 n);
int file_write(struct file *f, u32 src, u32 n);
int pipe_alloc(struct file **rf, struct file **wf);
int pipe_read(struct pipe *pi, u32 dst, u32 n);
int pipe_write(struct pipe *pi, u32 src, u32 n);
void pipe_close(struct pipe *pi, int writable);

/* ---- exec.c ---- */
int exec(const char *path, char **argv);

/* ---- shm.c ---- */
u32 shm_map(int key, u32 size);
