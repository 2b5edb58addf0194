/* libc-lite: system call stubs, strings, printf (one write per call), K&R malloc on sbrk. */
#include "user.h"

long syscall6(long n, long a0, long a1, long a2, long a3, long a4, long a5) {
  register long r0 asm("a0") = a0;
  register long r1 asm("a1") = a1;
  register long r2 asm("a2") = a2;
  register long r3 asm("a3") = a3;
  register long r4 asm("a4") = a4;
  register long r5 asm("a5") = a5;
  register long r7 asm("a7") = n;
  asm volatile("ecall" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r7) : "memory");
  return r0;
}
#define SC0(n) syscall6(n, 0, 0, 0, 0, 0, 0)
#define SC1(n, a) syscall6(n, (long)(a), 0, 0, 0, 0, 0)
#define SC2(n, a, b) syscall6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define SC3(n, a, b, c) syscall6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)

void exit(int status) {
  SC1(SYS_exit, status);
  for (;;) {}
}
int fork(void) { return SC0(SYS_fork); }
int wait(int *status) { return SC1(SYS_wait, status); }
int exec(const char *path, char *const argv[]) { return SC2(SYS_exec, path, argv); }
int getpid(void) { return SC0(SYS_getpid); }
int getppid(void) { return SC0(SYS_getppid); }
int read(int fd, void *buf, unsigned n) { return SC3(SYS_read, fd, buf, n); }
int write(int fd, const void *buf, unsigned n) { return SC3(SYS_write, fd, buf, n); }
int open(const char *path, int flags) { return SC2(SYS_open, path, flags); }
int close(int fd) { return SC1(SYS_close, fd); }
void *sbrk(int n) { return (void *)SC1(SYS_sbrk, n); }
int sleep(unsigned ms) { return SC1(SYS_sleep, ms); }
int yield(void) { return SC0(SYS_yield); }
int pipe(int fds[2]) { return SC1(SYS_pipe, fds); }
void *shm(int key, unsigned size) { return (void *)SC2(SYS_shm, key, size); }
int readdir(int fd, struct dirinfo *d) { return SC2(SYS_readdir, fd, d); }
int fstat(int fd, struct stat *st) { return SC2(SYS_fstat, fd, st); }
int mkdir(const char *path) { return SC1(SYS_mkdir, path); }
int chdir(const char *path) { return SC1(SYS_chdir, path); }
int dup(int fd) { return SC1(SYS_dup, fd); }
int procs(struct procinfo *out, int n) { return SC2(SYS_procs, out, n); }
void shutdown(void) {
  SC0(SYS_shutdown);
  for (;;) {}
}
int uptime(void) { return SC0(SYS_uptime); }
int meminfo(struct meminfo *mi) { return SC1(SYS_meminfo, mi); }
int unlink(const char *path) { return SC1(SYS_unlink, path); }
int kill(int pid) { return SC1(SYS_kill, pid); }

/* ---- strings ---- */
size_t strlen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}
int strcmp(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return (unsigned char)*a - (unsigned char)*b;
}
int strncmp(const char *a, const char *b, size_t n) {
  while (n && *a && *a == *b) n--, a++, b++;
  return n ? (unsigned char)*a - (unsigned char)*b : 0;
}
char *strcpy(char *d, const char *s) {
  char *r = d;
  while ((*d++ = *s++)) {}
  return r;
}
char *strchr(const char *s, int c) {
  for (; *s; s++)
    if (*s == (char)c) return (char *)s;
  return c == 0 ? (char *)s : 0;
}
void *memset(void *d, int c, size_t n) {
  unsigned char *p = d;
  while (n--) *p++ = (unsigned char)c;
  return d;
}
void *memmove(void *d, const void *s, size_t n) {
  unsigned char *dp = d;
  const unsigned char *sp = s;
  if (dp < sp) {
    while (n--) *dp++ = *sp++;
  } else {
    while (n--) dp[n] = sp[n];
  }
  return d;
}
void *memcpy(void *d, const void *s, size_t n) { return memmove(d, s, n); }
int memcmp(const void *a, const void *b, size_t n) {
  const unsigned char *x = a, *y = b;
  for (size_t i = 0; i < n; i++)
    if (x[i] != y[i]) return x[i] - y[i];
  return 0;
}
int atoi(const char *s) {
  int n = 0, neg = 0;
  if (*s == '-') neg = 1, s++;
  while (*s >= '0' && *s <= '9') n = n * 10 + (*s++ - '0');
  return neg ? -n : n;
}

/* ---- printf ---- */
struct out { char *buf; size_t size, len; };
static void emit(struct out *o, char c) {
  if (o->len + 1 < o->size) o->buf[o->len] = c;
  o->len++;
}
static void emit_num(struct out *o, unsigned long long v, int base, int neg, int width, int zero, int left) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v);
  int len = n + neg;
  if (!left && !zero)
    for (; width > len; width--) emit(o, ' ');
  if (neg) emit(o, '-');
  if (!left && zero)
    for (; width > len; width--) emit(o, '0');
  while (n) emit(o, tmp[--n]);
  if (left)
    for (; width > len; width--) emit(o, ' ');
}
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) {
  struct out o = {buf, size, 0};
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      emit(&o, *fmt);
      continue;
    }
    fmt++;
    int zero = 0, left = 0, width = 0, lng = 0;
    for (;; fmt++) {
      if (*fmt == '0') zero = 1;
      else if (*fmt == '-') left = 1;
      else break;
    }
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l') lng++, fmt++;
    switch (*fmt) {
    case 'd': {
      long long v = lng >= 2 ? va_arg(ap, long long) : va_arg(ap, int);
      emit_num(&o, v < 0 ? -(unsigned long long)v : (unsigned long long)v, 10, v < 0, width, zero, left);
      break;
    }
    case 'u':
    case 'x': {
      unsigned long long v = lng >= 2 ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned);
      emit_num(&o, v, *fmt == 'u' ? 10 : 16, 0, width, zero, left);
      break;
    }
    case 'p':
      emit(&o, '0');
      emit(&o, 'x');
      emit_num(&o, va_arg(ap, unsigned), 16, 0, 8, 1, 0);
      break;
    case 'c': emit(&o, (char)va_arg(ap, int)); break;
    case 's': {
      const char *s = va_arg(ap, const char *);
      if (!s) s = "(null)";
      int len = strlen(s);
      if (!left)
        for (int w = width; w > len; w--) emit(&o, ' ');
      while (*s) emit(&o, *s++);
      if (left)
        for (int w = width; w > len; w--) emit(&o, ' ');
      break;
    }
    case '%': emit(&o, '%'); break;
    case 0: fmt--; break;
    default: emit(&o, '%'), emit(&o, *fmt);
    }
  }
  if (size) buf[o.len < size ? o.len : size - 1] = 0;
  return o.len;
}
int snprintf(char *buf, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, size, fmt, ap);
  va_end(ap);
  return n;
}
static int vfdprintf(int fd, const char *fmt, va_list ap) {
  char buf[512];
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  if (n > (int)sizeof buf - 1) n = sizeof buf - 1;
  return write(fd, buf, n);
}
int printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vfdprintf(1, fmt, ap);
  va_end(ap);
  return n;
}
int fprintf(int fd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vfdprintf(fd, fmt, ap);
  va_end(ap);
  return n;
}
int puts(const char *s) { return printf("%s\n", s); }

/* One line from standard input (without the newline); 0 at end of input. */
char *gets(char *buf, int max) {
  int i = 0;
  while (i + 1 < max) {
    char c;
    if (read(0, &c, 1) != 1) break;
    if (c == '\n') {
      buf[i] = 0;
      return buf;
    }
    buf[i++] = c;
  }
  buf[i] = 0;
  return i ? buf : 0;
}

/* ---- malloc: first fit over a circular free list (K&R), more memory from sbrk ---- */
typedef union header {
  struct { union header *next; unsigned size; } s;
  long long align;
} Header;
static Header base, *freep;

void free(void *ap) {
  if (!ap) return;
  Header *bp = (Header *)ap - 1, *p;
  for (p = freep; !(bp > p && bp < p->s.next); p = p->s.next)
    if (p >= p->s.next && (bp > p || bp < p->s.next)) break;
  if (bp + bp->s.size == p->s.next) {
    bp->s.size += p->s.next->s.size;
    bp->s.next = p->s.next->s.next;
  } else {
    bp->s.next = p->s.next;
  }
  if (p + p->s.size == bp) {
    p->s.size += bp->s.size;
    p->s.next = bp->s.next;
  } else {
    p->s.next = bp;
  }
  freep = p;
}

static Header *morecore(unsigned nu) {
  if (nu < 512) nu = 512;
  char *p = sbrk(nu * sizeof(Header));
  if (p == (char *)-1) return 0;
  Header *hp = (Header *)p;
  hp->s.size = nu;
  free(hp + 1);
  return freep;
}

void *malloc(size_t nbytes) {
  unsigned nunits = (nbytes + sizeof(Header) - 1) / sizeof(Header) + 1;
  Header *p, *prevp = freep;
  if (!prevp) {
    base.s.next = freep = prevp = &base;
    base.s.size = 0;
  }
  for (p = prevp->s.next;; prevp = p, p = p->s.next) {
    if (p->s.size >= nunits) {
      if (p->s.size == nunits) {
        prevp->s.next = p->s.next;
      } else {
        p->s.size -= nunits;
        p += p->s.size;
        p->s.size = nunits;
      }
      freep = prevp;
      return p + 1;
    }
    if (p == freep && !(p = morecore(nunits))) return 0;
  }
}

/* 64-bit division helpers the compiler calls on RV32. */
typedef unsigned long long u64;
static u64 udivmod64(u64 n, u64 d, u64 *rem) {
  u64 q = 0, r = 0;
  if (d == 0) {
    if (rem) *rem = n;
    return ~0ull;
  }
  for (int i = 63; i >= 0; i--) {
    r = (r << 1) | ((n >> i) & 1);
    if (r >= d) {
      r -= d;
      q |= 1ull << i;
    }
  }
  if (rem) *rem = r;
  return q;
}
u64 __udivdi3(u64 n, u64 d) { return udivmod64(n, d, 0); }
u64 __umoddi3(u64 n, u64 d) {
  u64 r;
  udivmod64(n, d, &r);
  return r;
}
