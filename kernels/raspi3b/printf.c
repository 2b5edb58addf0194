/* printf-lite on the PL011: %c %s %d %u %x %p with optional '0', width and 'l'/'ll'.
 * Lines end in '\n' only, like the virt kernels, so transcripts compare byte for byte. */
#include "rpi.h"

static int put_num(uint64_t v, unsigned base, int neg, int width, char pad) {
  char buf[24];
  int n = 0, out = 0;
  do {
    buf[n++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v);
  if (neg) buf[n++] = '-';
  for (; width > n; width--, out++) uart_putc(pad);
  while (n) uart_putc(buf[--n]), out++;
  return out;
}

int vprintf(const char *fmt, va_list ap) {
  int out = 0;
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      uart_putc(*fmt);
      out++;
      continue;
    }
    char pad = ' ';
    int width = 0, longs = 0;
    if (*++fmt == '0') pad = '0', fmt++;
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l') longs++, fmt++;
    switch (*fmt) {
    case 'c': uart_putc((char)va_arg(ap, int)); out++; break;
    case 's': {
      const char *s = va_arg(ap, const char *);
      if (!s) s = "(null)";
      while (*s) uart_putc(*s++), out++;
      break;
    }
    case 'd': {
      int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
      out += put_num(v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0, width, pad);
      break;
    }
    case 'u': out += put_num(longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, 0, width, pad); break;
    case 'x': out += put_num(longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, 0, width, pad); break;
    case 'p': uart_putc('0'), uart_putc('x'), out += 2 + put_num((uintptr_t)va_arg(ap, void *), 16, 0, 16, '0'); break;
    case '%': uart_putc('%'); out++; break;
    case '\0': return out;
    default: uart_putc('%'); uart_putc(*fmt); out += 2; break;
    }
  }
  return out;
}

int printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vprintf(fmt, ap);
  va_end(ap);
  return n;
}
