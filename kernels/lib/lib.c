/* rvos guest library: console, printf-lite, exit, default trap handlers, privilege switches. */
#include "rvos.h"

/* ---- UART (ns16550a, reg-shift 0) -------------------------------------------------------- */
#define UART_THR 0
#define UART_LSR 5
#define LSR_THRE 0x20

void uart_init(void) {
  /* Nothing to do on virt: the UART is usable at reset (8N1; the baud divisor is irrelevant). */
}

void putchar_(int c) {
  while (!(mmio_read8(UART0_BASE + UART_LSR) & LSR_THRE)) {
  }
  mmio_write8(UART0_BASE + UART_THR, (u8)c);
}

void puts_(const char *s) {
  while (*s) putchar_(*s++);
}

/* ---- printf-lite: %d %u %x %X %c %s %p %%, with optional '0' flag, width and 'l' (ignored) ----- */
static void put_num(u32 v, unsigned base, int neg, int width, char pad, int upper) {
  char buf[12];
  int n = 0;
  const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  do {
    buf[n++] = digits[v % base];
    v /= base;
  } while (v);
  int len = n + (neg ? 1 : 0);
  if (neg && pad == '0') putchar_('-');
  for (; len < width; len++) putchar_(pad);
  if (neg && pad != '0') putchar_('-');
  while (n) putchar_(buf[--n]);
}

void vprintf_(const char *fmt, va_list ap) {
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      putchar_(*fmt);
      continue;
    }
    fmt++;
    char pad = ' ';
    int width = 0;
    if (*fmt == '0') {
      pad = '0';
      fmt++;
    }
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l') fmt++;
    switch (*fmt) {
    case 'd': {
      s32 v = va_arg(ap, s32);
      put_num(v < 0 ? -(u32)v : (u32)v, 10, v < 0, width, pad, 0);
      break;
    }
    case 'u':
      put_num(va_arg(ap, u32), 10, 0, width, pad, 0);
      break;
    case 'x':
    case 'X':
      put_num(va_arg(ap, u32), 16, 0, width, pad, *fmt == 'X');
      break;
    case 'p':
      puts_("0x");
      put_num(va_arg(ap, u32), 16, 0, 8, '0', 0);
      break;
    case 'c':
      putchar_(va_arg(ap, int));
      break;
    case 's': {
      const char *s = va_arg(ap, const char *);
      int len = 0;
      while (s[len]) len++;
      for (; len < width; len++) putchar_(' ');
      puts_(s);
      break;
    }
    case '%':
      putchar_('%');
      break;
    case 0:
      return;
    default:
      putchar_('%');
      putchar_(*fmt);
    }
  }
}

void printf_(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprintf_(fmt, ap);
  va_end(ap);
}

/* ---- Exit -------------------------------------------------------------------------------- */
__attribute__((noreturn)) void exit_(int code) {
#ifdef PRINT_INSTRET /* debugging builds only: instruction count (exact under QEMU -icount) */
  printf_("instret %u\n", csr_read(minstret));
#endif
  if (code == 0)
    mmio_write32(TEST_BASE, 0x5555);
  else
    mmio_write32(TEST_BASE, ((u32)(code & 0xffff) << 16) | 0x3333);
  for (;;) __asm__ volatile("wfi");
}

int failures;

void check(int cond, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprintf_(fmt, ap);
  va_end(ap);
  if (cond) {
    puts_("  ok\n");
  } else {
    puts_("  FAIL\n");
    failures++;
  }
}

__attribute__((noreturn)) void finish(const char *name) {
  if (failures == 0) {
    printf_("%s: PASS\n", name);
    exit_(0);
  }
  printf_("%s: FAIL (%d)\n", name, failures);
  exit_(failures > 255 ? 255 : failures);
}

/* ---- Memory helpers (the compiler may emit calls to these) ------------------------------- */
void *memset(void *d, int c, unsigned long n) {
  u8 *p = d;
  while (n--) *p++ = (u8)c;
  return d;
}

void *memcpy(void *d, const void *s, unsigned long n) {
  u8 *p = d;
  const u8 *q = s;
  while (n--) *p++ = *q++;
  return d;
}

/* ---- Timer ------------------------------------------------------------------------------- */
u64 read_mtime(void) {
  u32 hi, lo, hi2;
  do {
    hi = mmio_read32(CLINT_MTIME + 4);
    lo = mmio_read32(CLINT_MTIME);
    hi2 = mmio_read32(CLINT_MTIME + 4);
  } while (hi != hi2);
  return ((u64)hi << 32) | lo;
}

void set_mtimecmp(u64 t) {
  /* No spurious interrupt in between: raise the high word first. */
  mmio_write32(CLINT_MTIMECMP + 4, 0xffffffff);
  mmio_write32(CLINT_MTIMECMP, (u32)t);
  mmio_write32(CLINT_MTIMECMP + 4, (u32)(t >> 32));
}

/* ---- Traps ------------------------------------------------------------------------------- */
trap_hook_t m_trap_hook;
trap_hook_t s_trap_hook;
volatile struct trap_record trap_rec;

void trap_rec_clear(void) {
  trap_rec.count = 0;
  trap_rec.cause = trap_rec.epc = trap_rec.tval = trap_rec.prev_mode = 0;
  trap_rec.taken_in = 0;
}

const char *cause_name(u32 cause) {
  if (cause & CAUSE_INTR) {
    switch (cause & ~CAUSE_INTR) {
    case 1: return "S software interrupt";
    case 3: return "M software interrupt";
    case 5: return "S timer interrupt";
    case 7: return "M timer interrupt";
    case 9: return "S external interrupt";
    case 11: return "M external interrupt";
    default: return "interrupt?";
    }
  }
  switch (cause) {
  case 0: return "instruction address misaligned";
  case 1: return "instruction access fault";
  case 2: return "illegal instruction";
  case 3: return "breakpoint";
  case 4: return "load address misaligned";
  case 5: return "load access fault";
  case 6: return "store/AMO address misaligned";
  case 7: return "store/AMO access fault";
  case 8: return "ecall from U";
  case 9: return "ecall from S";
  case 11: return "ecall from M";
  case 12: return "instruction page fault";
  case 13: return "load page fault";
  case 15: return "store/AMO page fault";
  default: return "exception?";
  }
}

static jmp_buf_ m_run_jb, s_run_jb;
static u32 m_run_result, s_run_result;

static int in_probe(u32 epc) { return epc >= (uptr)__probe_start && epc < (uptr)__probe_end; }

/* Common part of both handlers: lower-mode return, probe recovery, or a loud failure. */
static void default_trap(struct trap_frame *f, char mode, u32 prev) {
  u32 cause = f->cause;
  if (!(cause & CAUSE_INTR)) {
    if ((cause == EXC_ECALL_U || cause == EXC_ECALL_S) && f->regs[17] == RVOS_RETURN_MAGIC) {
      if (mode == 'M') {
        m_run_result = f->regs[10];
        longjmp_(m_run_jb, 1);
      }
      s_run_result = f->regs[10];
      longjmp_(s_run_jb, 1);
    }
    /* Fetch faults land anywhere: resume at ra as for probes. */
    if (in_probe(f->epc) || cause == EXC_INST_ACCESS || cause == EXC_INST_PAGE ||
        cause == EXC_INST_MISALIGNED) {
      trap_rec.count++;
      trap_rec.cause = cause;
      trap_rec.epc = f->epc;
      trap_rec.tval = f->tval;
      trap_rec.prev_mode = prev;
      trap_rec.taken_in = mode;
      f->epc = f->regs[1];
      f->regs[10] = 0xdeadbeef;
      return;
    }
  }
  printf_("unexpected trap in %c-mode: cause=0x%08x (%s) epc=0x%08x tval=0x%08x\n", mode, cause,
          cause_name(cause), f->epc, f->tval);
  exit_(99);
}

void m_trap_handler(struct trap_frame *f) {
  if (m_trap_hook && m_trap_hook(f)) return;
  default_trap(f, 'M', (f->status >> MSTATUS_MPP_SHIFT) & 3);
}

void s_trap_handler(struct trap_frame *f) {
  if (s_trap_hook && s_trap_hook(f)) return;
  default_trap(f, 'S', (f->status & MSTATUS_SPP) ? PRV_S : PRV_U);
}

static const char *mode_name(u32 m) { return m == PRV_M ? "M" : m == PRV_S ? "S" : "U"; }

void report_probe(u32 count_before, u32 value, const void *probe) {
  if (trap_rec.count == count_before) {
    printf_("-> 0x%08x\n", value);
    return;
  }
  printf_("-> trap: cause=%u (%s) tval=0x%08x %s->%c", trap_rec.cause, cause_name(trap_rec.cause),
          trap_rec.tval, mode_name(trap_rec.prev_mode), trap_rec.taken_in);
  u32 at = (uptr)probe;
  if (probe && trap_rec.epc >= at && trap_rec.epc < at + 64)
    printf_(" epc=probe+%u\n", trap_rec.epc - at);
  else
    printf_(" epc=0x%08x\n", trap_rec.epc);
}

void expect_trap(const char *desc, u32 before, u32 value, const void *probe, u32 cause, u32 tval) {
  printf_("%s ", desc);
  report_probe(before, value, probe);
  u32 at = (uptr)probe;
  int ok = trap_rec.count == before + 1 && trap_rec.cause == cause && trap_rec.tval == tval &&
           (!probe || (trap_rec.epc >= at && trap_rec.epc < at + 64));
  if (!ok) printf_("  expected cause=%u tval=0x%08x\n", cause, tval);
  if (!ok) failures++;
}

void expect_value(const char *desc, u32 before, u32 value, const void *probe, u32 want) {
  printf_("%s ", desc);
  report_probe(before, value, probe);
  if (trap_rec.count != before || value != want) {
    printf_("  expected 0x%08x\n", want);
    failures++;
  }
}

/* ---- Privilege switches ------------------------------------------------------------------ */
void enter_lower_m(int mode, u32 (*fn)(void), uptr sp);
void enter_user_s(uptr entry, uptr sp);
extern char lower_stack_top[];

u32 run_in_mode(int mode, u32 (*fn)(void)) {
  if (setjmp_(m_run_jb) == 0) enter_lower_m(mode, fn, (uptr)lower_stack_top);
  return m_run_result;
}

u32 s_run_user(uptr entry, uptr sp) {
  if (setjmp_(s_run_jb) == 0) enter_user_s(entry, sp);
  return s_run_result;
}

void pmp_open_all(void) {
  /* pmpaddr0 = all ones with NAPOT covers the whole 34-bit physical space; pmpcfg0.A=NAPOT|RWX. */
  csr_write(pmpaddr0, 0xffffffff);
  csr_write(pmpcfg0, 0x1f);
}

void lower_init(void) {
  pmp_open_all();
  csr_write(stvec, (uptr)s_trap_entry);
  csr_write(sscratch, (uptr)s_trap_stack_top);
}
