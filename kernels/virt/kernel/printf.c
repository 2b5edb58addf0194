/* Kernel printf (to the SBI console) and panic. */
#include "kernel.h"

struct out { char *buf; size_t size, len; };

static void emit(struct out *o, char c) {
  if (o->len + 1 < o->size) o->buf[o->len] = c;
  o->len++;
}

static void emit_num(struct out *o, u64 v, int base, int upper, int neg, int width, int zero, int left) {
  char tmp[24];
  int n = 0;
  const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  do {
    tmp[n++] = digits[v % base];
    v /= base;
  } while (v);
  int len = n + (neg ? 1 : 0);
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
    case 'd':
    case 'i': {
      long long v = lng >= 2 ? va_arg(ap, long long) : va_arg(ap, int);
      emit_num(&o, v < 0 ? -(u64)v : (u64)v, 10, 0, v < 0, width, zero, left);
      break;
    }
    case 'u':
    case 'x':
    case 'X': {
      u64 v = lng >= 2 ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned);
      emit_num(&o, v, *fmt == 'u' ? 10 : 16, *fmt == 'X', 0, width, zero, left);
      break;
    }
    case 'p':
      emit(&o, '0');
      emit(&o, 'x');
      emit_num(&o, va_arg(ap, u32), 16, 0, 0, 8, 1, 0);
      break;
    case 'c':
      emit(&o, (char)va_arg(ap, int));
      break;
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
    case '%':
      emit(&o, '%');
      break;
    case 0:
      fmt--;
      break;
    default:
      emit(&o, '%');
      emit(&o, *fmt);
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

void kprintf(const char *fmt, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n > (int)sizeof buf - 1) n = sizeof buf - 1;
  sbi_console_write(buf, n);
}

void panic(const char *fmt, ...) {
  char buf[256];
  va_list ap;
  intr_off();
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n > (int)sizeof buf - 1) n = sizeof buf - 1;
  sbi_console_write("\nkernel panic: ", 15);
  sbi_console_write(buf, n);
  sbi_console_write("\n", 1);
  sbi_shutdown(1);
}
