/* Exceptions taken to EL1 (vectors.S). Synchronous ones are reported with ESR_EL1, ELR_EL1 and,
 * where the architecture defines it (aborts, PC/SP alignment, watchpoints: Arm ARM D17.2.40),
 * FAR_EL1; for the other classes FAR_EL1 is UNKNOWN and not printed. Register values are printed
 * as `ELR_EL1=0x...` so rvos can symbolize them. SVC returns (ELR_EL1 already points past it);
 * undefined instructions, BRK and the aborts the tests expect (expect_abort) are skipped; anything else
 * is fatal (semihosting exit 1). */
#include "proc.h"


#define EC_UNKNOWN 0x00
#define EC_SVC64 0x15
#define EC_IABT_LOWER 0x20
#define EC_IABT_SAME 0x21
#define EC_PC_ALIGN 0x22
#define EC_DABT_LOWER 0x24
#define EC_DABT_SAME 0x25
#define EC_SP_ALIGN 0x26
#define EC_WATCH_LOWER 0x34
#define EC_WATCH_SAME 0x35
#define EC_BRK64 0x3c

static const char *const kinds[4] = {"synchronous", "IRQ", "FIQ", "SError"};
static const char *const origins[4] = {"EL1 with SP_EL0", "EL1 with SP_EL1", "EL0 (AArch64)", "EL0 (AArch32)"};


static int far_valid(unsigned ec) {
  return ec == EC_IABT_LOWER || ec == EC_IABT_SAME || ec == EC_PC_ALIGN || ec == EC_DABT_LOWER ||
         ec == EC_DABT_SAME || ec == EC_SP_ALIGN || ec == EC_WATCH_LOWER || ec == EC_WATCH_SAME;
}

#define FROM_EL1_SPX 4
#define FROM_EL0_A64 8
#define KIND_SYNC 0
#define KIND_IRQ 1

/* Interrupts: the PL011's receive interrupt and the timer, whose tick may switch processes. */
static struct frame *irq_handler(struct frame *f) {
  uart_irq();
  return timer_irq() ? sched_tick(f) : f;
}

struct frame *exc_handler(uint64_t index, struct frame *f) {
  unsigned kind = index & 3, origin = index & ~3UL;
  if (kind == KIND_IRQ && (origin == FROM_EL1_SPX || origin == FROM_EL0_A64)) return irq_handler(f);
  uint64_t esr = read_sysreg(esr_el1);
  unsigned ec = (unsigned)(esr >> 26) & 0x3f;
  if (kind == KIND_SYNC && origin == FROM_EL0_A64) return ec == EC_SVC64 ? syscall(f) : user_fault(f, esr);
  if (kind == KIND_SYNC && origin == FROM_EL1_SPX) {
    switch (ec) {
    case EC_SVC64:
      if ((esr & 0xffff) == 0) return sched_yield(f); /* the shell gives up the CPU (proc.c) */
      printf("svc #%lu: ESR_EL1=0x%08lx ELR_EL1=0x%016lx\n", esr & 0xffff, esr, f->elr);
      f->x[0] = f->x[0] * 2; /* a result in x0 shows the frame goes back to the caller */
      return f;
    case EC_UNKNOWN:
      printf("undefined instruction: ESR_EL1=0x%08lx ELR_EL1=0x%016lx, skipped\n", esr, f->elr);
      f->elr += 4;
      return f;
    case EC_BRK64:
      printf("brk #%lu: ESR_EL1=0x%08lx ELR_EL1=0x%016lx, skipped\n", esr & 0xffff, esr, f->elr);
      f->elr += 4;
      return f;
    case EC_DABT_SAME:
      if (!expect_abort) break;
      expect_abort = 0;
      printf("data abort: ESR_EL1=0x%08lx ELR_EL1=0x%016lx FAR_EL1=0x%016lx, skipped\n", esr, f->elr,
             read_sysreg(far_el1));
      f->elr += 4;
      return f;
    case EC_IABT_SAME: /* a call to a non-executable address: back to the caller */
      if (!expect_abort) break;
      expect_abort = 0;
      printf("instruction abort: ESR_EL1=0x%08lx ELR_EL1=0x%016lx FAR_EL1=0x%016lx, returning\n", esr,
             f->elr, read_sysreg(far_el1));
      f->elr = f->x[30];
      return f;
    }
  }
  printf("\nunhandled %s exception from %s: ESR_EL1=0x%08lx (EC 0x%02x) ELR_EL1=0x%016lx", kinds[index & 3],
         origins[index >> 2], esr, ec, f->elr);
  if ((index & 3) == 0 && far_valid(ec)) printf(" FAR_EL1=0x%016lx", read_sysreg(far_el1));
  printf(" SPSR_EL1=0x%08lx\n", f->spsr);
  semihost_exit(1);
  return f;
}

extern char vectors[];

void exceptions_init(void) {
  __asm__ volatile("msr vbar_el1, %0; isb" ::"r"(vectors));
  printf("vectors: VBAR_EL1=0x%016lx\n", read_sysreg(vbar_el1));
}

/* An SVC that returns a value, an undefined instruction, a BRK and an alignment fault, each
 * reported and resumed. */
void exceptions_test(void) {
  register uint64_t x0 __asm__("x0") = 21;
  __asm__ volatile("svc #0x42" : "+r"(x0) : : "memory");
  printf("svc returned %lu\n", x0);
  __asm__ volatile("udf #0x1234" ::: "memory");
  __asm__ volatile("brk #7" ::: "memory");

  /* An unaligned load with SCTLR_EL1.A set is an Alignment fault (Arm ARM D5.2.2): a data abort,
   * DFSC 0b100001, FAR_EL1 = the address. (With the MMU off such a load is to Device memory and
   * should fault anyway, but QEMU 7.2 does not check that, so A is set for the test.) */
  uint64_t sctlr = read_sysreg(sctlr_el1);
  __asm__ volatile("msr sctlr_el1, %0; isb" ::"r"(sctlr | 2));
  expect_abort = 1;
  uint64_t value = 0x1234;
  extern char _start[];
  __asm__ volatile("ldr %w0, [%1]" : "+r"(value) : "r"(_start + 1) : "memory");
  __asm__ volatile("msr sctlr_el1, %0; isb" ::"r"(sctlr));
  if (expect_abort) printf("unaligned load did not fault\n");
  expect_abort = 0;
  printf("exceptions: ok\n");
}
