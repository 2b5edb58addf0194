/* Segmentation, interrupts and the 8259A pair (Intel SDM vol. 3, chapters 3, 6 and 7; 8259A
 * datasheet). Flat segments: kernel code/data (DPL 0), user code/data (DPL 3), one TSS whose
 * ss0:esp0 is the running process' kernel stack. The IDT has the 32 exceptions, IRQs 0-15 at
 * 0x20-0x2f (PIC remapped) and `int 0x80` as a DPL 3 gate for system calls. */
#include "pc.h"

struct tss {
  uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
  uint32_t es, cs, ss, ds, fs, gs, ldt, iomap;
};
static struct tss tss;
static uint64_t gdt[6];
static uint64_t idt[256];
volatile int trap_test;

struct __attribute__((packed)) table_pointer {
  uint16_t limit;
  uint32_t base;
};
void gdt_load(const struct table_pointer *p);

/* A segment descriptor: base, limit (in 4 KiB units when G), access byte, flags nibble. */
static uint64_t segment(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags) {
  return (uint64_t)(limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 | (uint64_t)access << 40 |
         (uint64_t)((limit >> 16) & 0xf) << 48 | (uint64_t)flags << 52 | (uint64_t)(base >> 24) << 56;
}

void gdt_init(void) {
  gdt[1] = segment(0, 0xfffff, 0x9a, 0xc); /* kernel code: present, DPL 0, execute/read; 4 KiB, 32-bit */
  gdt[2] = segment(0, 0xfffff, 0x92, 0xc); /* kernel data */
  gdt[3] = segment(0, 0xfffff, 0xfa, 0xc); /* user code, DPL 3 */
  gdt[4] = segment(0, 0xfffff, 0xf2, 0xc); /* user data, DPL 3 */
  tss.ss0 = KDATA;
  tss.iomap = sizeof tss; /* no I/O bitmap: with IOPL 0 every port access from ring 3 faults */
  gdt[5] = segment((uint32_t)&tss, sizeof tss - 1, 0x89, 0x0); /* 32-bit TSS, available */
  struct table_pointer p = {sizeof gdt - 1, (uint32_t)gdt};
  gdt_load(&p);
  __asm__ volatile("ltr %w0" ::"r"(TSS_SEL));
}

void tss_set_esp0(uint32_t esp0) { tss.esp0 = esp0; }

/* An interrupt gate (IF cleared on entry) in the kernel code segment. */
static void gate(unsigned v, void (*fn)(void), unsigned dpl) {
  uint32_t a = (uint32_t)fn;
  idt[v] = (uint64_t)(a & 0xffff) | (uint64_t)KCODE << 16 | (uint64_t)(0x8e | dpl << 5) << 40 |
           (uint64_t)(a >> 16) << 48;
}

/* ICW1 edge + ICW4, ICW2 vector base, ICW3 cascade on IR2, ICW4 8086 mode; all IRQs masked. */
static void pic_init(void) {
  outb(0x20, 0x11);
  outb(0xa0, 0x11);
  outb(0x21, 0x20);
  outb(0xa1, 0x28);
  outb(0x21, 0x04);
  outb(0xa1, 0x02);
  outb(0x21, 0x01);
  outb(0xa1, 0x01);
  outb(0x21, 0xfb); /* all masked but the cascade (IR2) */
  outb(0xa1, 0xff);
}

void pic_unmask(unsigned irq) {
  uint16_t port = irq < 8 ? 0x21 : 0xa1;
  outb(port, inb(port) & ~(1u << (irq & 7)));
}

#define ISR(n) extern void isr##n(void);
#define GATE(n) gate(n, isr##n, 0);
#define LIST(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15) \
  X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23) X(24) X(25) X(26) X(27) X(28) X(29) X(30) X(31) \
  X(32) X(33) X(34) X(35) X(36) X(37) X(38) X(39) X(40) X(41) X(42) X(43) X(44) X(45) X(46) X(47)
LIST(ISR)
extern void isr128(void);

void idt_init(void) {
  LIST(GATE)
  gate(0x80, isr128, 3); /* int 0x80 from ring 3 */
  struct table_pointer p = {sizeof idt - 1, (uint32_t)idt};
  __asm__ volatile("lidt %0" ::"m"(p));
  pic_init();
}

static const char *const names[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "BOUND range exceeded", "invalid opcode",
    "device not available", "double fault", "coprocessor segment overrun", "invalid TSS", "segment not present",
    "stack-segment fault", "general protection", "page fault", "reserved", "x87 floating-point error",
    "alignment check", "machine check", "SIMD floating-point", "virtualization"};

static const char *exception_name(unsigned v) { return v < 32 && names[v] ? names[v] : "reserved"; }

static uint32_t read_cr2(void) {
  uint32_t v;
  __asm__ volatile("mov %%cr2, %0" : "=r"(v));
  return v;
}

void dump_frame(const struct trapframe *f) {
  printf("  eax=%08x ebx=%08x ecx=%08x edx=%08x\n", f->eax, f->ebx, f->ecx, f->edx);
  printf("  esi=%08x edi=%08x ebp=%08x esp=%08x\n", f->esi, f->edi, f->ebp,
         f->cs & 3 ? f->esp : (uint32_t)&f->esp); /* ring 0: the stack continues where esp/ss would be */
  printf("  eip=%08x cs=%04x eflags=%08x err=%08x\n", f->eip, f->cs, f->eflags, f->err);
}

struct trapframe *trap(struct trapframe *f) {
  unsigned v = f->vector;
  if (v == 0x80) return proc_syscall(f);
  if (v >= 0x20 && v < 0x30) {
    unsigned irq = v - 0x20;
    if (irq >= 8) outb(0xa0, 0x20); /* non-specific EOI to the slave, then the master */
    outb(0x20, 0x20);
    if (irq == 0) return proc_tick(f);
    if (irq == 1) kbd_irq();
    if (irq == 4) serial_irq();
    return f;
  }
  if (f->cs & 3) return proc_fault(f, exception_name(v)); /* kills only the process */
  if (v == 3 || (v == 6 && trap_test)) {
    printf("exception %u (%s) in the kernel:\n", v, exception_name(v));
    dump_frame(f);
    if (v == 6) f->eip += 2, trap_test = 0; /* skip the ud2 */
    return f;
  }
  printf("\nkernel panic: exception %u (%s)", v, exception_name(v));
  if (v == 14) printf(", cr2=%08x", read_cr2());
  printf("\n");
  dump_frame(f);
  debug_exit(1);
}
