/* printf-lite and memset for the bench guests of the architectures without kernels/lib (AArch64,
 * i386): each platform file supplies put(), which collects or sends one character. */
#include "rvos.h"

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
