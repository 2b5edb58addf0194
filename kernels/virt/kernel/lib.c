/* String and memory functions (freestanding). */
#include "kernel.h"

void *memset(void *d, int c, size_t n) {
  u8 *p = d;
  if (((u32)p & 3) == 0 && (n & 3) == 0) {
    u32 w = (u8)c * 0x01010101u;
    for (size_t i = 0; i < n / 4; i++) ((u32 *)p)[i] = w;
    return d;
  }
  while (n--) *p++ = (u8)c;
  return d;
}

void *memcpy(void *d, const void *s, size_t n) { return memmove(d, s, n); }

void *memmove(void *d, const void *s, size_t n) {
  u8 *dp = d;
  const u8 *sp = s;
  if (dp == sp || n == 0) return d;
  if (dp < sp || dp >= sp + n) {
    if ((((u32)dp | (u32)sp | n) & 3) == 0) {
      for (size_t i = 0; i < n / 4; i++) ((u32 *)dp)[i] = ((const u32 *)sp)[i];
    } else {
      for (size_t i = 0; i < n; i++) dp[i] = sp[i];
    }
  } else {
    while (n--) dp[n] = sp[n];
  }
  return d;
}

int memcmp(const void *a, const void *b, size_t n) {
  const u8 *x = a, *y = b;
  for (size_t i = 0; i < n; i++)
    if (x[i] != y[i]) return x[i] - y[i];
  return 0;
}

size_t strlen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

int strcmp(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return (u8)*a - (u8)*b;
}

int strncmp(const char *a, const char *b, size_t n) {
  while (n && *a && *a == *b) n--, a++, b++;
  return n ? (u8)*a - (u8)*b : 0;
}

char *strncpy(char *d, const char *s, size_t n) {
  size_t i = 0;
  for (; i < n && s[i]; i++) d[i] = s[i];
  for (; i < n; i++) d[i] = 0;
  return d;
}

/* Copies at most n-1 characters and always terminates. */
void safestrcpy(char *d, const char *s, size_t n) {
  if (n == 0) return;
  size_t i = 0;
  for (; i + 1 < n && s[i]; i++) d[i] = s[i];
  d[i] = 0;
}

/* 64-bit division helpers the compiler calls on RV32 (no libgcc/compiler-rt here). */
static u64 udivmod64(u64 n, u64 d, u64 *rem) {
  u64 q = 0, r = 0;
  if (d == 0) {
    if (rem) *rem = n;
    return ~0ull;
  }
  if ((n >> 32) == 0 && (d >> 32) == 0) {
    if (rem) *rem = (u32)n % (u32)d;
    return (u32)n / (u32)d;
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
