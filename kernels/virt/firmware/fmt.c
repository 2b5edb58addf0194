/*
 * printf-lite shared by the firmware and the test kernel: %c %s %d %i %u %x %X %p %%, an optional
 * '0' flag and field width, and 'l'/'ll' accepted ('ll' takes a 64-bit argument).
 */
#include <stdarg.h>
#include <stdint.h>

typedef void (*fmt_out)(char c, void *ctx);

/* v / base with v's remainder in *rem, without libgcc's 64-bit division. */
static uint64_t divmod(uint64_t v, unsigned base, unsigned *rem) {
  uint64_t q = 0;
  uint32_t r = 0;
  for (int i = 63; i >= 0; i--) {
    r = (r << 1) | (uint32_t)((v >> i) & 1);
    if (r >= base) {
      r -= base;
      q |= (uint64_t)1 << i;
    }
  }
  *rem = r;
  return q;
}

static void put_num(fmt_out out, void *ctx, uint64_t v, unsigned base, int neg, int width, char pad, int upper) {
  char buf[24];
  int n = 0;
  const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  do {
    unsigned r;
    v = divmod(v, base, &r);
    buf[n++] = digits[r];
  } while (v);
  int len = n + (neg ? 1 : 0);
  if (neg && pad == '0') out('-', ctx);
  for (; len < width; len++) out(pad, ctx);
  if (neg && pad != '0') out('-', ctx);
  while (n) out(buf[--n], ctx);
}

void fmt_vformat(fmt_out out, void *ctx, const char *fmt, va_list ap) {
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      out(*fmt, ctx);
      continue;
    }
    fmt++;
    char pad = ' ';
    int width = 0, longs = 0;
    if (*fmt == '0') {
      pad = '0';
      fmt++;
    }
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l') {
      longs++;
      fmt++;
    }
    switch (*fmt) {
    case 'c':
      out((char)va_arg(ap, int), ctx);
      break;
    case 's': {
      const char *s = va_arg(ap, const char *);
      int len = 0;
      while (s[len]) len++;
      for (; len < width; len++) out(' ', ctx);
      while (*s) out(*s++, ctx);
      break;
    }
    case 'd':
    case 'i': {
      int64_t v = longs >= 2 ? va_arg(ap, int64_t) : va_arg(ap, long);
      put_num(out, ctx, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0, width, pad, 0);
      break;
    }
    case 'u':
      put_num(out, ctx, longs >= 2 ? va_arg(ap, uint64_t) : va_arg(ap, unsigned long), 10, 0, width, pad, 0);
      break;
    case 'x':
    case 'X':
      put_num(out, ctx, longs >= 2 ? va_arg(ap, uint64_t) : va_arg(ap, unsigned long), 16, 0, width, pad, *fmt == 'X');
      break;
    case 'p':
      out('0', ctx);
      out('x', ctx);
      put_num(out, ctx, (uintptr_t)va_arg(ap, void *), 16, 0, 8, '0', 0);
      break;
    case '%':
      out('%', ctx);
      break;
    case 0:
      return;
    default:
      out('%', ctx);
      out(*fmt, ctx);
      break;
    }
  }
}
