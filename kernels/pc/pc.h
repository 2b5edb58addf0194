/* The pc reference kernel: port I/O, the kernel's interfaces. The shared C compiled from
 * ../raspi3b (printf.c, string.c, fs.c, fs_write.c, path.c) includes raspi3b's rpi.h, whose
 * declarations (printf, uart_putc, sd_read/sd_write, fs_*, path_resolve) this kernel implements
 * the same way; its AArch64 inline helpers are never used here. */
#ifndef PC_H
#define PC_H

#include "../raspi3b/rpi.h"

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) {
  uint8_t v;
  __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
  return v;
}
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
static inline uint16_t inw(uint16_t port) {
  uint16_t v;
  __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
  return v;
}

/* isa-debug-exit (QEMU -device isa-debug-exit,iobase=0xf4,iosize=4): exit code (v << 1) | 1. */
void debug_exit(uint8_t v) __attribute__((noreturn));
void panic(const char *why) __attribute__((noreturn));

/* serial.c: COM1, polled output; input polled until serial_enable_irq() (IRQ 4 into a ring). */
void serial_init(void);
void serial_enable_irq(void);
void serial_irq(void);
void console_input(char c); /* a byte for the shell from another input */
/* kbd.c: the PS/2 keyboard (i8042, IRQ 1) */
void kbd_init(void);
void kbd_irq(void);
/* vga.c: the 80x25 text screen at 0xB8000 */
void vga_clear(uint8_t attr);
void vga_write(const char *s, unsigned n, uint8_t attr);
void vga_cursor(unsigned *row, unsigned *col);
void vga_keep_above(unsigned row); /* the console scrolls below this row */

/* multiboot.c: the modules the loader gave (multiboot 1 or 2), copied at boot. */
#define MODS_MAX 16
struct module {
  uint32_t start, end;
  char name[32]; /* the last word of the command line: GRUB's `module2 /boot/hello hello` */
};
extern struct module modules[MODS_MAX];
extern unsigned module_count;
int multiboot_parse(uint32_t magic, uint32_t info); /* 1 or 2; 0: not multiboot */
const struct module *module_find(const char *name);

/* cpu.c: GDT, TSS, IDT, the 8259A pair */
#define KCODE 0x08
#define KDATA 0x10
#define UCODE 0x1b
#define UDATA 0x23
#define TSS_SEL 0x28
struct trapframe { /* what isr_common pushes (boot.S), lowest address first */
  uint32_t gs, fs, es, ds;
  uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax; /* pusha; esp0: the kernel esp, unused */
  uint32_t vector, err;
  uint32_t eip, cs, eflags, esp, ss; /* esp, ss: only when coming from ring 3 */
};
void gdt_init(void);
void idt_init(void);
void tss_set_esp0(uint32_t esp0);
void pic_unmask(unsigned irq);
struct trapframe *trap(struct trapframe *f);
extern volatile int trap_test; /* cpu.c: the next kernel #UD is a test, skip it */
void dump_frame(const struct trapframe *f);

/* paging.c */
#define PAGE 4096u
#define KERNEL_MAP (32u << 20)  /* 0-32 MiB identity mapped, supervisor only */
#define POOL_START (16u << 20)  /* the page-frame pool: 16-32 MiB */
#define USER_BASE 0x40000000u
#define USER_STACK_TOP 0x80000000u
#define PTE_P 1u
#define PTE_W 2u
#define PTE_U 4u
void paging_init(void);
uint32_t frame_alloc(void); /* physical = kernel address (identity map); 0 if none */
void frame_free(uint32_t pa);
unsigned frames_free(void);
uint32_t *pgdir_new(void); /* the kernel's tables shared, no user pages */
void pgdir_free(uint32_t *pd); /* with every user page */
int page_map(uint32_t *pd, uint32_t va, uint32_t pa, uint32_t flags);
uint32_t page_unmap(uint32_t *pd, uint32_t va); /* the frame it mapped, or 0 */
uint32_t page_lookup(uint32_t *pd, uint32_t va); /* its PTE, 0 if not present */
void load_cr3(uint32_t *pd);
extern uint32_t *kernel_pgdir;

/* kmalloc.c */
void *malloc(size_t n);
void free(void *p);
void *realloc(void *p, size_t n);
void heap_stats(unsigned *used_blocks, unsigned *free_bytes);

/* strings.c; memset/memcpy are raspi3b's string.c */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strncpy(char *d, const char *s, size_t n);

/* proc.c */
#define NPROC 8
extern int preemption;
int proc_spawn(const void *elf, uint32_t size, const char *name, int argc, char **argv); /* pid or -1 */
int proc_wait(int pid); /* exit code, -1 if killed */
int proc_kill(int pid);
void proc_ps(void);
void kyield(void);
struct trapframe *proc_syscall(struct trapframe *f);
struct trapframe *proc_tick(struct trapframe *f);
struct trapframe *proc_fault(struct trapframe *f, const char *what);
void proc_init(void);
int proc_others_ready(void);
void proc_reap(void);
void pit_init(void);
void proc_idle(void);

/* ide.c: ATA PIO, LBA28, primary master; sd_read/sd_write (rpi.h) are its block interface */
int ide_init(void);
/* shell.c */
const char *shell_cwd(void);
extern int vga_console; /* serial.c: console output also on the VGA screen */

#endif
