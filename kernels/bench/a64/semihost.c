/* Console and exit through Arm semihosting (HLT #0xF000; "Semihosting for AArch32 and AArch64",
 * 6.5): printf-lite collects a line and prints it with SYS_WRITE0 at each '\n' (one trap per
 * line, not per character, so the output costs nothing against the benchmark), and
 * SYS_EXIT with ADP_Stopped_ApplicationExit ends the run with main's return value. */
#include "rvos.h"

#define SYS_WRITE0 0x04
#define SYS_EXIT 0x18
#define ADP_Stopped_ApplicationExit 0x20026

static long semihost(long op, const void *arg) {
  register long x0 __asm__("x0") = op;
  register const void *x1 __asm__("x1") = arg;
  __asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
  return x0;
}

static char line[160];
static unsigned used;

static void flush(void) {
  line[used] = 0;
  semihost(SYS_WRITE0, line);
  used = 0;
}

static void put(char c) {
  line[used++] = c;
  if (c == '\n' || used == sizeof line - 1) flush();
}

/* %d %u %x %s %c %%, with an optional '0' flag and width. */
static void put_num(u32 v, unsigned base, int neg, int width, char pad) {
  char buf[12];
  int n = 0;
  do {
    buf[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v);
  if (neg) buf[n++] = '-';
  for (int len = n; len < width; len++) put(pad);
  while (n) put(buf[--n]);
}

void printf_(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      put(*fmt);
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
    switch (*fmt) {
    case 'd': {
      s32 v = va_arg(ap, s32);
      put_num(v < 0 ? -(u32)v : (u32)v, 10, v < 0, width, pad);
      break;
    }
    case 'u': put_num(va_arg(ap, u32), 10, 0, width, pad); break;
    case 'x': put_num(va_arg(ap, u32), 16, 0, width, pad); break;
    case 'c': put((char)va_arg(ap, int)); break;
    case 's':
      for (const char *s = va_arg(ap, const char *); *s; s++) put(*s);
      break;
    default: put(*fmt); break;
    }
  }
  va_end(ap);
}

void *memset(void *d, int c, unsigned long n) {
  u8 *p = d;
  while (n--) *p++ = (u8)c;
  return d;
}

void semihost_exit(int code) {
  if (used) flush();
  static u64 block[2];
  block[0] = ADP_Stopped_ApplicationExit;
  block[1] = (u64)code;
  semihost(SYS_EXIT, block);
  for (;;) __asm__ volatile("wfe"); /* no semihosting: park */
}
