/* System call wrappers and a small printf for user programs. */
#include "user.h"
#include "abi.h"

static long syscall3(long n, long a, long b, long c) {
  register long x8 __asm__("x8") = n;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
  return x0;
}

/* A pipe may take part of the bytes: write the rest until all are written or it fails. */
long write(int fd, const void *buf, size_t len) {
  size_t done = 0;
  do {
    long n = syscall3(SYS_WRITE, fd, (long)buf + (long)done, (long)(len - done));
    if (n < 0) return done ? (long)done : n;
    done += (size_t)n;
  } while (done < len);
  return (long)done;
}
void exit(int code) {
  syscall3(SYS_EXIT, code, 0, 0);
  for (;;) {}
}
int getpid(void) { return (int)syscall3(SYS_GETPID, 0, 0, 0); }
void yield(void) { syscall3(SYS_YIELD, 0, 0, 0); }
void sleep_ms(unsigned ms) { syscall3(SYS_SLEEP, ms, 0, 0); }
unsigned preempted(void) { return (unsigned)syscall3(SYS_PREEMPTED, 0, 0, 0); }
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

static void put_num(struct out *o, uint64_t v, unsigned base, int neg, int width, char pad) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v);
  if (neg) digits[n++] = '-';
  for (; width > n; width--) put(o, pad);
  while (n) put(o, digits[--n]);
}

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
    int width = 0, longs = 0;
    if (*++fmt == '0') pad = '0', fmt++;
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l') longs++, fmt++;
    switch (*fmt) {
    case 'c': put(&o, (char)va_arg(ap, int)); break;
    case 's': {
      const char *s = va_arg(ap, const char *);
      while (s && *s) put(&o, *s++);
      break;
    }
    case 'd': {
      int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
      put_num(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0, width, pad);
      break;
    }
    case 'u': put_num(&o, longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, 0, width, pad); break;
    case 'x': put_num(&o, longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, 0, width, pad); break;
    case 'p': put(&o, '0'), put(&o, 'x'), put_num(&o, (uintptr_t)va_arg(ap, void *), 16, 0, 16, '0'); break;
    case '\0': fmt--; break;
    default: put(&o, *fmt); break;
    }
  }
  va_end(ap);
  if (o.n) write(1, o.buf, o.n);
  return (int)o.n;
}
