/*
 * sbi-test: an S-mode kernel that exercises every SBI call rvos-sbi implements and prints a
 * deterministic transcript (test/sbi-test.expected) through the debug console (DBCN) and the
 * legacy putchar. Each checked value is printed; a mismatch adds " [FAIL: expected ...]" and
 * the run ends with an SRST shutdown for "system failure" (exit code 1) instead of exit 0.
 *
 * /chosen/bootargs selects other endings: "reboot" (SRST warm reboot after the banner line, so
 * the machine boots again and again) and "sysfail" (shutdown with reason system failure).
 */
#include <stdarg.h>
#include <stdint.h>
#include "../sbi.h"

typedef uint32_t u32;
typedef uint64_t u64;
typedef uint8_t u8;

#define TEST_MAX_HARTS 8

#define csr_read(csr) ({ u32 v_; __asm__ volatile("csrr %0, " #csr : "=r"(v_)); v_; })
#define csr_write(csr, v) __asm__ volatile("csrw " #csr ", %0" ::"rK"((u32)(v)) : "memory")
#define csr_set(csr, v) __asm__ volatile("csrs " #csr ", %0" ::"rK"((u32)(v)) : "memory")
#define csr_clear(csr, v) __asm__ volatile("csrc " #csr ", %0" ::"rK"((u32)(v)) : "memory")
#define SSTATUS_SIE (1u << 1)
#define SIP_SSIP (1u << 1)
#define SIP_STIP (1u << 5)
#define SCAUSE_SSI 0x80000001u
#define SCAUSE_STI 0x80000005u

typedef void (*fmt_out)(char c, void *ctx);
void fmt_vformat(fmt_out out, void *ctx, const char *fmt, va_list ap);

void secondary_start(void);
void resume_start(void);
u32 probe_lw(u32 addr);
void probe_sw(u32 addr, u32 v);
u32 probe_csrr_mstatus(void);
void probe_ebreak(void);

/* ---- SBI calls ---------------------------------------------------------------------------- */

struct sbiret {
  long error;
  long value;
};

static struct sbiret sbi(u32 eid, u32 fid, u32 a0, u32 a1, u32 a2, u32 a3, u32 a4) {
  register u32 r0 __asm__("a0") = a0;
  register u32 r1 __asm__("a1") = a1;
  register u32 r2 __asm__("a2") = a2;
  register u32 r3 __asm__("a3") = a3;
  register u32 r4 __asm__("a4") = a4;
  register u32 r6 __asm__("a6") = fid;
  register u32 r7 __asm__("a7") = eid;
  __asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r3), "r"(r4), "r"(r6), "r"(r7) : "memory");
  return (struct sbiret){(long)r0, (long)r1};
}
#define SBI0(e, f) sbi((e), (f), 0, 0, 0, 0, 0)
#define SBI1(e, f, a) sbi((e), (f), (a), 0, 0, 0, 0)
#define SBI2(e, f, a, b) sbi((e), (f), (a), (b), 0, 0, 0)
#define SBI3(e, f, a, b, c) sbi((e), (f), (a), (b), (c), 0, 0)

/* Legacy calls return a0 only. */
static long legacy(u32 eid, u32 a0, u32 a1) { return sbi(eid, 0, a0, a1, 0, 0, 0).error; }

/* ---- Output ------------------------------------------------------------------------------- */

struct line {
  char buf[200];
  u32 len;
};

static void out_line(char c, void *ctx) {
  struct line *l = ctx;
  if (l->len < sizeof l->buf) l->buf[l->len++] = c;
}

/* One printf = one DBCN console_write, so lines from different harts never mix. */
static void printf(const char *fmt, ...) {
  struct line l;
  l.len = 0;
  va_list ap;
  va_start(ap, fmt);
  fmt_vformat(out_line, &l, fmt, ap);
  va_end(ap);
  SBI3(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, l.len, (u32)l.buf, 0);
}

static volatile u32 checks, failures;

/* Prints "<label>: <got>" (decimal up to +-1024, hex otherwise) and checks it. */
static void check(const char *label, long got, long want) {
  __atomic_fetch_add(&checks, 1, __ATOMIC_RELAXED);
  int small = got >= -1024 && got <= 1024;
  if (got == want) {
    printf(small ? "%s: %d\n" : "%s: 0x%x\n", label, got);
  } else {
    __atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
    int wsmall = want >= -1024 && want <= 1024;
    printf(small ? "%s: %d" : "%s: 0x%x", label, got);
    printf(wsmall ? " [FAIL: expected %d]\n" : " [FAIL: expected 0x%x]\n", want);
  }
}

static void check_true(const char *label, int ok) {
  __atomic_fetch_add(&checks, 1, __ATOMIC_RELAXED);
  if (ok) {
    printf("%s: yes\n", label);
  } else {
    __atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
    printf("%s: no [FAIL]\n", label);
  }
}

/* ---- Traps -------------------------------------------------------------------------------- */

struct hart_traps {
  volatile u32 exc_count, exc_cause, exc_tval;
  volatile u32 ssip_count, stip_count, last_irq;
} traps[TEST_MAX_HARTS];

static u32 hartid_of_sp(void) {
  extern u8 _stack_base[];
  u32 sp;
  __asm__ volatile("mv %0, sp" : "=r"(sp));
  return (sp - (u32)_stack_base) >> 12;
}

u32 s_trap(void) {
  u32 cause = csr_read(scause);
  struct hart_traps *t = &traps[hartid_of_sp()];
  if (cause == SCAUSE_SSI) {
    csr_clear(sip, SIP_SSIP);
    t->last_irq = cause;
    t->ssip_count++;
  } else if (cause == SCAUSE_STI) {
    /* STIP is only cleared by the next set_timer: mask it until then. */
    csr_clear(sie, SIP_STIP);
    t->last_irq = cause;
    t->stip_count++;
  } else if ((int32_t)cause < 0) {
    printf("unexpected interrupt scause 0x%x\n", cause);
    SBI2(SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_SYSFAIL);
  } else {
    u32 epc = csr_read(sepc);
    if (epc < (u32)probe_lw || epc >= (u32)probe_ebreak + 8) {
      printf("unexpected exception scause %u sepc 0x%x stval 0x%x\n", cause, epc, csr_read(stval));
      SBI2(SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_SYSFAIL);
    }
    t->exc_cause = cause;
    t->exc_tval = csr_read(stval);
    t->exc_count++;
    csr_write(sepc, epc + 4); /* probes are 4-byte instructions */
  }
  return 0;
}

static u64 rdtime(void) {
  u32 hi, lo, hi2;
  do {
    __asm__ volatile("rdtimeh %0" : "=r"(hi));
    __asm__ volatile("rdtime %0" : "=r"(lo));
    __asm__ volatile("rdtimeh %0" : "=r"(hi2));
  } while (hi != hi2);
  return (u64)hi << 32 | lo;
}

static void set_timer(u64 when) { SBI2(SBI_EXT_TIME, SBI_TIME_SET_TIMER, (u32)when, (u32)(when >> 32)); }

/* Waits until this hart has taken one more timer interrupt: wfi with sstatus.SIE = 0 (it still
 * wakes up on a pending enabled interrupt, and none is taken between the check and the wfi), then
 * a window with SIE = 1 to take it. */
static void wait_timer_irq(u32 hartid, u32 before) {
  csr_clear(sstatus, SSTATUS_SIE);
  csr_set(sie, SIP_STIP);
  while (traps[hartid].stip_count == before) {
    __asm__ volatile("wfi");
    csr_set(sstatus, SSTATUS_SIE);
    csr_clear(sstatus, SSTATUS_SIE);
  }
}

/* ---- Device tree -------------------------------------------------------------------------- */

static u32 be32(const void *p) {
  const u8 *b = p;
  return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}

static int streq(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}

static u32 slen(const char *s) {
  u32 n = 0;
  while (s[n]) n++;
  return n;
}

/* Finds property `prop` of the node at `path` (e.g. "/chosen"); returns its value, or 0. */
static const u8 *fdt_prop(const u8 *fdt, const char *path, const char *prop, u32 *len, int *node_found) {
  const u8 *p = fdt + be32(fdt + 8), *end = p + be32(fdt + 36);
  const char *strings = (const char *)fdt + be32(fdt + 12);
  char cur[128];
  u32 curlen = 0;
  u32 stack[8];
  int depth = 0;
  cur[0] = 0;
  if (node_found) *node_found = 0;
  while (p < end) {
    u32 tok = be32(p);
    p += 4;
    if (tok == 1) {
      const char *name = (const char *)p;
      u32 n = slen(name);
      p += (n + 4) & ~3u;
      if (depth < 8) stack[depth] = curlen;
      depth++;
      if (depth > 1 && curlen + n + 1 < sizeof cur) {
        cur[curlen++] = '/';
        for (u32 i = 0; i < n; i++) cur[curlen++] = name[i];
        cur[curlen] = 0;
      }
      if (node_found && streq(depth == 1 ? "/" : cur, path)) *node_found = 1;
    } else if (tok == 2) {
      depth--;
      if (depth >= 0 && depth < 8) curlen = stack[depth];
      cur[curlen] = 0;
    } else if (tok == 3) {
      u32 l = be32(p), off = be32(p + 4);
      const u8 *val = p + 8;
      p += 8 + ((l + 3) & ~3u);
      if (streq(depth == 1 ? "/" : cur, path) && streq(strings + off, prop)) {
        *len = l;
        return val;
      }
    } else if (tok == 4) {
      continue;
    } else {
      break;
    }
  }
  return 0;
}

/* ---- Secondary harts ---------------------------------------------------------------------- */

enum { CMD_NONE, CMD_TIMER, CMD_SUSPEND, CMD_STOP };
static volatile u32 mbox_cmd[TEST_MAX_HARTS], mbox_ack[TEST_MAX_HARTS];

static void post(u32 h, u32 cmd) {
  __atomic_store_n(&mbox_ack[h], 0, __ATOMIC_RELEASE);
  __atomic_store_n(&mbox_cmd[h], cmd, __ATOMIC_RELEASE);
  if (cmd != CMD_STOP)
    while (!__atomic_load_n(&mbox_ack[h], __ATOMIC_ACQUIRE)) {
    }
}

static void wait_ack(u32 h) {
  while (!__atomic_load_n(&mbox_ack[h], __ATOMIC_ACQUIRE)) {
  }
}

void secondary_main(u32 hartid, u32 opaque) {
  printf("hart %u: started, a1 = 0x%x, sstatus.SIE %u, satp 0x%x\n", hartid, opaque,
         (csr_read(sstatus) & SSTATUS_SIE) != 0, csr_read(satp));
  csr_write(sie, SIP_SSIP);
  csr_set(sstatus, SSTATUS_SIE); /* IPIs are taken while spinning */
  __atomic_store_n(&mbox_ack[hartid], 1, __ATOMIC_RELEASE);
  for (;;) {
    u32 cmd;
    while (!(cmd = __atomic_load_n(&mbox_cmd[hartid], __ATOMIC_ACQUIRE))) {
    }
    mbox_cmd[hartid] = CMD_NONE;
    if (cmd == CMD_TIMER) {
      u32 before = traps[hartid].stip_count;
      set_timer(rdtime() + 10000);
      wait_timer_irq(hartid, before);
      csr_set(sstatus, SSTATUS_SIE);
      printf("hart %u: own timer interrupt, scause 0x%x\n", hartid, traps[hartid].last_irq);
    } else if (cmd == CMD_SUSPEND) {
      csr_clear(sstatus, SSTATUS_SIE);
      csr_write(sie, SIP_STIP);
      set_timer(rdtime() + 10000);
      struct sbiret r = SBI3(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, SBI_HSM_SUSPEND_RET_DEFAULT, 0, 0);
      u32 stip = (csr_read(sip) & SIP_STIP) != 0;
      set_timer(~0ull);
      printf("hart %u: retentive suspend until its timer -> %d, sip.STIP %u\n", hartid, r.error, stip);
      csr_write(sie, SIP_SSIP);
      csr_set(sstatus, SSTATUS_SIE);
    } else if (cmd == CMD_STOP) {
      printf("hart %u: stopping\n", hartid);
      csr_clear(sstatus, SSTATUS_SIE);
      struct sbiret r = SBI0(SBI_EXT_HSM, SBI_HSM_HART_STOP);
      printf("hart %u: hart_stop returned %d [FAIL]\n", hartid, r.error);
      __atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
    }
    __atomic_store_n(&mbox_ack[hartid], 1, __ATOMIC_RELEASE);
  }
}

/* ---- The test ----------------------------------------------------------------------------- */

static const u8 *dtb;
static u32 nharts;

static void wait_status(u32 h, long want) {
  struct sbiret r;
  do r = SBI1(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, h);
  while (r.error == 0 && r.value != want);
}

static void finish(void) __attribute__((noreturn));

static void test_base(void) {
  struct sbiret r = SBI0(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION);
  printf("base: spec version %u.%u (error %d)\n", (u32)r.value >> 24 & 0x7f, (u32)r.value & 0xffffff, r.error);
  check("base: impl id", SBI0(SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID).value, RVOS_SBI_IMPL_ID);
  check("base: impl version", SBI0(SBI_EXT_BASE, SBI_BASE_GET_IMPL_VERSION).value, RVOS_SBI_IMPL_VERSION);
  check("base: mvendorid", SBI0(SBI_EXT_BASE, SBI_BASE_GET_MVENDORID).value, 0);
  check("base: marchid error", SBI0(SBI_EXT_BASE, SBI_BASE_GET_MARCHID).error, 0);
  check("base: mimpid error", SBI0(SBI_EXT_BASE, SBI_BASE_GET_MIMPID).error, 0);
  check("base: function 7", SBI0(SBI_EXT_BASE, 7).error, SBI_ERR_NOT_SUPPORTED);

  static const struct {
    const char *name;
    u32 eid;
    long want;
  } probes[] = {
      {"base", SBI_EXT_BASE, 1},
      {"time", SBI_EXT_TIME, 1},
      {"ipi", SBI_EXT_IPI, 1},
      {"rfence", SBI_EXT_RFENCE, 1},
      {"hsm", SBI_EXT_HSM, 1},
      {"srst", SBI_EXT_SRST, 1},
      {"dbcn", SBI_EXT_DBCN, 1},
      {"legacy set_timer", SBI_LEGACY_SET_TIMER, 1},
      {"legacy console_putchar", SBI_LEGACY_CONSOLE_PUTCHAR, 1},
      {"legacy console_getchar", SBI_LEGACY_CONSOLE_GETCHAR, 1},
      {"legacy clear_ipi", SBI_LEGACY_CLEAR_IPI, 1},
      {"legacy send_ipi", SBI_LEGACY_SEND_IPI, 0},
      {"legacy remote_fence_i", SBI_LEGACY_REMOTE_FENCE_I, 0},
      {"legacy shutdown", SBI_LEGACY_SHUTDOWN, 1},
      {"pmu", SBI_EXT_PMU, 0},
      {"susp", SBI_EXT_SUSP, 0},
      {"0x12345678", 0x12345678, 0},
  };
  for (u32 i = 0; i < sizeof probes / sizeof probes[0]; i++) {
    char label[48];
    struct line l;
  l.len = 0;
    const char *a = "probe ", *b = probes[i].name;
    while (*a) out_line(*a++, &l);
    while (*b) out_line(*b++, &l);
    for (u32 k = 0; k < l.len && k < sizeof label - 1; k++) label[k] = l.buf[k];
    label[l.len < sizeof label - 1 ? l.len : sizeof label - 1] = 0;
    check(label, SBI1(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, probes[i].eid).value, probes[i].want);
  }
  check("eid 0x12345678", SBI0(0x12345678, 0).error, SBI_ERR_NOT_SUPPORTED);
  check("eid 0x0a (reserved legacy range)", SBI0(0x0a, 0).error, SBI_ERR_NOT_SUPPORTED);
}

static void test_console(void) {
  const char *s = "legacy putchar: hello\n";
  long err = 0;
  while (*s) err |= legacy(SBI_LEGACY_CONSOLE_PUTCHAR, (u8)*s++, 0);
  check("legacy putchar error", err, 0);
  check("legacy getchar (no input)", legacy(SBI_LEGACY_CONSOLE_GETCHAR, 0, 0), -1);

  static const char msg[] = "dbcn: a 37-byte console_write buffer\n";
  struct sbiret r = SBI3(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, sizeof msg - 1, (u32)msg, 0);
  check("dbcn: console_write error", r.error, 0);
  check("dbcn: console_write bytes", r.value, sizeof msg - 1);
  r = SBI3(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, 5, (u32)msg + 6, 0); /* "a 37-" without newline */
  SBI1(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE_BYTE, '\n');
  check("dbcn: partial buffer bytes", r.value, 5);
  r = SBI1(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE_BYTE, '#');
  SBI1(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE_BYTE, '\n');
  check("dbcn: console_write_byte error", r.error, 0);
  static u8 rx[16];
  r = SBI3(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_READ, sizeof rx, (u32)rx, 0);
  check("dbcn: console_read error", r.error, 0);
  check("dbcn: console_read bytes (no input)", r.value, 0);
  check("dbcn: console_write from firmware memory", SBI3(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, 4, RVOS_SBI_BASE, 0).error,
        SBI_ERR_INVALID_PARAM);
  check("dbcn: console_write with base_hi 1", SBI3(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, 4, (u32)msg, 1).error,
        SBI_ERR_INVALID_PARAM);
  check("dbcn: console_write past the end of RAM", SBI3(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, 16, 0x87fffff8u, 0).error,
        SBI_ERR_INVALID_PARAM);
  check("dbcn: console_read into firmware memory", SBI3(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_READ, 4, RVOS_SBI_BASE + 0x100, 0).error,
        SBI_ERR_INVALID_PARAM);
  check("dbcn: function 3", SBI0(SBI_EXT_DBCN, 3).error, SBI_ERR_NOT_SUPPORTED);
}

static void test_dtb_and_pmp(u32 hartid) {
  u32 len = 0;
  int found = 0;
  const u8 *reg = fdt_prop(dtb, "/reserved-memory/mmode_resv0@80000000", "reg", &len, &found);
  check_true("dtb: /reserved-memory/mmode_resv0@80000000 present", found);
  if (reg && len == 16) {
    check("dtb: reserved base", be32(reg + 4), RVOS_SBI_BASE);
    check("dtb: reserved size", be32(reg + 12), RVOS_SBI_SIZE);
  } else {
    check("dtb: reserved reg length", len, 16);
  }
  const u8 *nomap = fdt_prop(dtb, "/reserved-memory/mmode_resv0@80000000", "no-map", &len, 0);
  check_true("dtb: reserved region is no-map", nomap != 0 && len == 0);
  const u8 *ac = fdt_prop(dtb, "/reserved-memory", "#address-cells", &len, 0);
  check("dtb: /reserved-memory #address-cells", ac ? be32(ac) : 0, 2);
  check_true("dtb: /reserved-memory has ranges", fdt_prop(dtb, "/reserved-memory", "ranges", &len, 0) != 0);

  struct hart_traps *t = &traps[hartid];
  u32 n = t->exc_count;
  probe_lw(RVOS_SBI_BASE);
  check("pmp: load from 0x80000000, scause", t->exc_count != n ? t->exc_cause : 0, 5);
  check("pmp: stval", t->exc_tval, RVOS_SBI_BASE);
  n = t->exc_count;
  probe_sw(RVOS_SBI_BASE + RVOS_SBI_SIZE - 4, 0);
  check("pmp: store to 0x8003fffc, scause", t->exc_count != n ? t->exc_cause : 0, 7);
  n = t->exc_count;
  probe_lw(RVOS_SBI_BASE + RVOS_SBI_SIZE);
  check("pmp: load from 0x80040000 faults", t->exc_count - n, 0);
  n = t->exc_count;
  probe_csrr_mstatus();
  check("deleg: csrr mstatus in S, scause", t->exc_count != n ? t->exc_cause : 0, 2);
  n = t->exc_count;
  probe_ebreak();
  check("deleg: ebreak in S, scause", t->exc_count != n ? t->exc_cause : 0, 3);
  n = t->exc_count;
  u32 c0, i0, c1, i1;
  u64 t0 = rdtime();
  __asm__ volatile("rdcycle %0\n\trdinstret %1" : "=r"(c0), "=r"(i0));
  for (volatile int k = 0; k < 100; k++) {
  }
  __asm__ volatile("rdcycle %0\n\trdinstret %1" : "=r"(c1), "=r"(i1));
  u64 t1 = rdtime();
  check("counters: traps reading cycle/time/instret", t->exc_count - n, 0);
  check_true("counters: instret advances", i1 - i0 >= 100);
  check_true("counters: cycle advances", c1 != c0);
  check_true("counters: time does not go back", t1 >= t0);
}

static void test_timer(u32 hartid) {
  struct hart_traps *t = &traps[hartid];
  set_timer(rdtime() + 1000000000ull); /* 100 s at 10 MHz: not before the check, even on a busy host */
  check("time: sip.STIP right after set_timer", (csr_read(sip) & SIP_STIP) != 0, 0);
  u64 deadline = rdtime() + 100000; /* 10 ms */
  set_timer(deadline);
  u32 before = t->stip_count;
  wait_timer_irq(hartid, before);
  check("time: interrupt scause", t->last_irq, SCAUSE_STI);
  check_true("time: taken at time >= deadline", rdtime() >= deadline);
  check("time: sip.STIP while pending", (csr_read(sip) & SIP_STIP) != 0, 1);
  set_timer(~0ull);
  check("time: sip.STIP after set_timer(-1)", (csr_read(sip) & SIP_STIP) != 0, 0);
  /* A deadline in the past fires at once. */
  before = t->stip_count;
  set_timer(0);
  wait_timer_irq(hartid, before);
  check("time: set_timer(0) interrupts", t->stip_count - before, 1);
  set_timer(~0ull);
  check("time: function 1", SBI0(SBI_EXT_TIME, 1).error, SBI_ERR_NOT_SUPPORTED);

  before = t->stip_count;
  check("legacy set_timer", legacy(SBI_LEGACY_SET_TIMER, (u32)(rdtime() + 10000), (u32)((rdtime() + 10000) >> 32)), 0);
  wait_timer_irq(hartid, before);
  check("legacy set_timer: interrupt scause", t->last_irq, SCAUSE_STI);
  set_timer(~0ull);
}

static void take_ssip(u32 hartid) {
  csr_set(sie, SIP_SSIP);
  csr_set(sstatus, SSTATUS_SIE);
  csr_clear(sstatus, SSTATUS_SIE);
}

static void test_ipi_local(u32 hartid) {
  struct hart_traps *t = &traps[hartid];
  u32 before = t->ssip_count;
  struct sbiret r = SBI2(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 1u << hartid, 0);
  take_ssip(hartid);
  check("ipi: self (mask 1 << hartid, base 0)", r.error, 0);
  check("ipi: SSIP taken", t->ssip_count - before, 1);
  check("ipi: scause", t->last_irq, SCAUSE_SSI);
  before = t->ssip_count;
  r = SBI2(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 0, ~0u);
  take_ssip(hartid);
  check("ipi: every hart (base -1, stopped harts ignored)", r.error, 0);
  check("ipi: SSIP taken", t->ssip_count - before, 1);
  before = t->ssip_count;
  r = SBI2(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 1, hartid); /* mask base = hartid */
  take_ssip(hartid);
  check("ipi: mask 1 with base hartid", r.error, 0);
  check("ipi: SSIP taken", t->ssip_count - before, 1);
  check("ipi: nonexistent hart", SBI2(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 1, nharts).error, SBI_ERR_INVALID_PARAM);
  check("ipi: mask bit 31 (hart 31)", SBI2(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 1u << 31, 0).error, SBI_ERR_INVALID_PARAM);
  before = t->ssip_count;
  check("ipi: empty mask", SBI2(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 0, 0).error, 0);
  take_ssip(hartid);
  check("ipi: SSIP taken", t->ssip_count - before, 0);
  csr_set(sip, SIP_SSIP);
  check("legacy clear_ipi", legacy(SBI_LEGACY_CLEAR_IPI, 0, 0), 0);
  check("legacy clear_ipi: sip.SSIP", (csr_read(sip) & SIP_SSIP) != 0, 0);

  check("rfence: remote_fence_i (self)", SBI2(SBI_EXT_RFENCE, SBI_RFENCE_FENCE_I, 1u << hartid, 0).error, 0);
  check("rfence: remote_sfence_vma (all, one page)",
        sbi(SBI_EXT_RFENCE, SBI_RFENCE_SFENCE_VMA, 0, ~0u, 0x80400000u, 4096, 0).error, 0);
  check("rfence: remote_sfence_vma_asid (all, everything, asid 0)",
        sbi(SBI_EXT_RFENCE, SBI_RFENCE_SFENCE_VMA_ASID, 0, ~0u, 0, ~0u, 0).error, 0);
  check("rfence: nonexistent hart", SBI2(SBI_EXT_RFENCE, SBI_RFENCE_FENCE_I, 1, nharts).error, SBI_ERR_INVALID_PARAM);
  check("rfence: remote_hfence_gvma (no H)", SBI2(SBI_EXT_RFENCE, SBI_RFENCE_HFENCE_GVMA, 1u << hartid, 0).error,
        SBI_ERR_NOT_SUPPORTED);
}

static void test_hsm(u32 hartid) {
  printf("hsm: %u harts\n", nharts);
  for (u32 h = 0; h < nharts; h++) {
    char label[40];
    struct line l;
  l.len = 0;
    const char *a = "hsm: status of hart ";
    while (*a) out_line(*a++, &l);
    out_line('0' + h, &l);
    for (u32 k = 0; k < l.len; k++) label[k] = l.buf[k];
    label[l.len] = 0;
    check(label, SBI1(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, h).value,
          h == hartid ? SBI_HSM_STATE_STARTED : SBI_HSM_STATE_STOPPED);
  }
  check("hsm: status of a nonexistent hart", SBI1(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, nharts).error,
        SBI_ERR_INVALID_PARAM);
  check("hsm: start self", SBI3(SBI_EXT_HSM, SBI_HSM_HART_START, hartid, (u32)secondary_start, 0).error,
        SBI_ERR_ALREADY_AVAILABLE);
  check("hsm: start a nonexistent hart", SBI3(SBI_EXT_HSM, SBI_HSM_HART_START, nharts, (u32)secondary_start, 0).error,
        SBI_ERR_INVALID_PARAM);
  if (nharts > 1) {
    u32 other = hartid == 0 ? 1 : 0;
    check("hsm: start at firmware memory", SBI3(SBI_EXT_HSM, SBI_HSM_HART_START, other, RVOS_SBI_BASE, 0).error,
          SBI_ERR_INVALID_ADDRESS);
    check("hsm: start outside RAM", SBI3(SBI_EXT_HSM, SBI_HSM_HART_START, other, 0x1000, 0).error,
          SBI_ERR_INVALID_ADDRESS);
    check("hsm: stopped hart still stopped", SBI1(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, other).value,
          SBI_HSM_STATE_STOPPED);
  }

  for (u32 round = 0; round < 2; round++) {
    for (u32 h = 0; h < nharts; h++) {
      if (h == hartid) continue;
      u32 opaque = 0x5eed0000u | round << 8 | h;
      mbox_ack[h] = 0;
      printf("hsm: start hart %u at secondary_start, opaque 0x%x\n", h, opaque);
      struct sbiret r = SBI3(SBI_EXT_HSM, SBI_HSM_HART_START, h, (u32)secondary_start, opaque);
      if (r.error == 0) wait_ack(h); /* it prints its own line first */
      check("hsm: hart_start", r.error, 0);
      check("hsm: status once it runs", SBI1(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, h).value, SBI_HSM_STATE_STARTED);
      if (round == 0) {
        check("hsm: start it again", SBI3(SBI_EXT_HSM, SBI_HSM_HART_START, h, (u32)secondary_start, 0).error,
              SBI_ERR_ALREADY_AVAILABLE);
        u32 before = traps[h].ssip_count;
        r = SBI2(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 1u << h, 0);
        while (traps[h].ssip_count == before) {
        }
        check("ipi: to the running hart", r.error, 0);
        check("ipi: it took SSIP, scause", traps[h].last_irq, SCAUSE_SSI);
        check("rfence: remote_fence_i (that hart)", SBI2(SBI_EXT_RFENCE, SBI_RFENCE_FENCE_I, 1u << h, 0).error, 0);
        check("rfence: remote_sfence_vma (that hart, all)",
              sbi(SBI_EXT_RFENCE, SBI_RFENCE_SFENCE_VMA, 1u << h, 0, 0, ~0u, 0).error, 0);
        check("rfence: remote_sfence_vma_asid (every hart)",
              sbi(SBI_EXT_RFENCE, SBI_RFENCE_SFENCE_VMA_ASID, 0, ~0u, 0, ~0u, 1).error, 0);
        check("rfence: remote_fence_i (every hart)", SBI2(SBI_EXT_RFENCE, SBI_RFENCE_FENCE_I, 0, ~0u).error, 0);
        post(h, CMD_TIMER);
        post(h, CMD_SUSPEND);
      }
      post(h, CMD_STOP);
      wait_status(h, SBI_HSM_STATE_STOPPED);
      check("hsm: status after hart_stop", SBI1(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, h).value, SBI_HSM_STATE_STOPPED);
    }
  }
  check("rfence: remote_fence_i (every hart, others stopped)", SBI2(SBI_EXT_RFENCE, SBI_RFENCE_FENCE_I, 0, ~0u).error, 0);

  /* Suspend on this hart. */
  check("hsm: suspend type 1 (reserved)", SBI3(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, 1, 0, 0).error, SBI_ERR_INVALID_PARAM);
  check("hsm: suspend type 0x10000000 (platform)", SBI3(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, 0x10000000, 0, 0).error,
        SBI_ERR_NOT_SUPPORTED);
  check("hsm: non-retentive suspend at firmware memory",
        SBI3(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, SBI_HSM_SUSPEND_NON_RET_DEFAULT, RVOS_SBI_BASE, 0).error,
        SBI_ERR_INVALID_ADDRESS);
  csr_write(sie, SIP_STIP);
  set_timer(rdtime() + 10000);
  struct sbiret r = SBI3(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, SBI_HSM_SUSPEND_RET_DEFAULT, 0, 0);
  check("hsm: retentive suspend until the timer", r.error, 0);
  check("hsm: sip.STIP on return", (csr_read(sip) & SIP_STIP) != 0, 1);
  set_timer(~0ull);
  set_timer(rdtime() + 10000);
  printf("hsm: non-retentive suspend until the timer, resume at resume_start, opaque 0xc0ffee\n");
  r = SBI3(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, SBI_HSM_SUSPEND_NON_RET_DEFAULT, (u32)resume_start, 0xc0ffee);
  printf("hsm: non-retentive suspend returned %d [FAIL]\n", r.error);
  failures++;
  finish();
}

void resume_main(u32 hartid, u32 opaque) {
  check("hsm: resumed, a0", hartid, 0);
  check("hsm: resumed, a1", opaque, 0xc0ffee);
  check("hsm: resumed, sstatus.SIE", (csr_read(sstatus) & SSTATUS_SIE) != 0, 0);
  check("hsm: resumed, sip.STIP", (csr_read(sip) & SIP_STIP) != 0, 1);
  check("hsm: status", SBI1(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, hartid).value, SBI_HSM_STATE_STARTED);
  set_timer(~0ull);
  finish();
}

static int bootargs_is(const char *want) {
  u32 len = 0;
  const char *v = (const char *)fdt_prop(dtb, "/chosen", "bootargs", &len, 0);
  return v && streq(v, want);
}

static void finish(void) {
  check("srst: reset type 3", SBI2(SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, 3, 0).error, SBI_ERR_INVALID_PARAM);
  check("srst: reset type 0xf0000000", SBI2(SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, 0xf0000000u, 0).error,
        SBI_ERR_INVALID_PARAM);
  check("srst: reason 2", SBI2(SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, SBI_SRST_TYPE_SHUTDOWN, 2).error,
        SBI_ERR_INVALID_PARAM);
  check("srst: function 1", SBI0(SBI_EXT_SRST, 1).error, SBI_ERR_NOT_SUPPORTED);
  u32 reason = SBI_SRST_REASON_NONE;
  if (failures) {
    printf("sbi-test: %u checks, %u FAILED\n", checks, failures);
    reason = SBI_SRST_REASON_SYSFAIL;
  } else {
    printf("sbi-test: %u checks passed\n", checks);
  }
  if (bootargs_is("sysfail")) {
    printf("srst: shutdown, reason system failure\n");
    reason = SBI_SRST_REASON_SYSFAIL;
  } else {
    printf("srst: shutdown\n");
  }
  struct sbiret r = SBI2(SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, SBI_SRST_TYPE_SHUTDOWN, reason);
  printf("srst: shutdown returned %d\n", r.error);
  for (;;) __asm__ volatile("wfi");
}

void main(u32 hartid, const u8 *dtb_addr) {
  dtb = dtb_addr;
  printf("sbi-test: hart %u in S-mode, DTB magic 0x%x\n", hartid, be32(dtb));
  if (bootargs_is("reboot")) {
    printf("srst: warm reboot\n");
    SBI2(SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, SBI_SRST_TYPE_WARM_REBOOT, SBI_SRST_REASON_NONE);
    printf("srst: reboot returned [FAIL]\n");
    for (;;) __asm__ volatile("wfi");
  }
  for (nharts = 0; nharts < TEST_MAX_HARTS; nharts++)
    if (SBI1(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, nharts).error) break;
  test_base();
  test_console();
  test_dtb_and_pmp(hartid);
  test_timer(hartid);
  test_ipi_local(hartid);
  test_hsm(hartid);
}
