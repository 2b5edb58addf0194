/* System call stubs (int 0x80) and a printf that writes each call's output in one write(), as
 * raspi3b's user/ulib.c does for its SVC calls. */
#include "user.h"
#include "abi.h"

static long syscall3(long n, long a, long b, long c) {
  long r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c) : "memory");
  return r;
}

long write(int fd, const void *buf, size_t len) { return syscall3(SYS_WRITE, fd, (long)buf, (long)len); }
void exit(int code) {
  syscall3(SYS_EXIT, code, 0, 0);
  for (;;) {}
}
int getpid(void) { return (int)syscall3(SYS_GETPID, 0, 0, 0); }
void yield(void) { syscall3(SYS_YIELD, 0, 0, 0); }
void sleep_ms(unsigned ms) { syscall3(SYS_SLEEP, ms, 0, 0); }
unsigned preempted(void) { return (unsigned)syscall3(SYS_PREEMPTED, 0, 0, 0); }
unsigned ticks(void) { return (unsigned)syscall3(SYS_TICKS, 0, 0, 0); }
int spawn(const char *name, char *const argv[]) { return (int)syscall3(SYS_SPAWN, (long)name, (long)argv, 0); }
int open(const char *path) { return (int)syscall3(SYS_OPEN, (long)path, 0, 0); }
long read(int fd, void *buf, size_t len) { return syscall3(SYS_READ, fd, (long)buf, (long)len); }
int close(int fd) { return (int)syscall3(SYS_CLOSE, fd, 0, 0); }
int wait(int pid) { return (int)syscall3(SYS_WAIT, pid, 0, 0); }
long syscall(long n, long a, long b, long c) { return syscall3(n, a, b, c); }

unsigned atou(const char *s) {
  unsigned v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (unsigned)(*s++ - '0');
  return v;
}

struct out {
  char buf[256];
  unsigned n;
};

static void put(struct out *o, char c) {
  if (o->n == sizeof o->buf) write(1, o->buf, o->n), o->n = 0;
  o->buf[o->n++] = c;
}

static void put_num(struct out *o, unsigned v, unsigned base, int neg, int width, char pad) {
  char digits[12];
  int n = 0;
  do {
    digits[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v);
  if (neg) digits[n++] = '-';
  for (; width > n; width--) put(o, pad);
  while (n) put(o, digits[--n]);
}

/* %c %s %d %u %x with optional '0' and width (no 'l': long is 32 bits here). */
int printf(const char *fmt, ...) {
  struct out o;
  o.n = 0;
  va_list ap;
  va_start(ap, fmt);
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      put(&o, *fmt);
      continue;
    }
    char pad = ' ';
    int width = 0;
    if (*++fmt == '0') pad = '0', fmt++;
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    switch (*fmt) {
    case 'c': put(&o, (char)va_arg(ap, int)); break;
    case 's': {
      const char *s = va_arg(ap, const char *);
      while (s && *s) put(&o, *s++);
      break;
    }
    case 'd': {
      int v = va_arg(ap, int);
      put_num(&o, v < 0 ? -(unsigned)v : (unsigned)v, 10, v < 0, width, pad);
      break;
    }
    case 'u': put_num(&o, va_arg(ap, unsigned), 10, 0, width, pad); break;
    case 'x': put_num(&o, va_arg(ap, unsigned), 16, 0, width, pad); break;
    case '\0': fmt--; break;
    default: put(&o, *fmt); break;
    }
  }
  va_end(ap);
  if (o.n) write(1, o.buf, o.n);
  return (int)o.n;
}
