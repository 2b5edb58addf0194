/* 64-bit division for the shared printf (clang emits calls to these on i386; no libgcc here). */
#include <stdint.h>

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem) {
  uint64_t q = 0;
  if (d == 0) return 0;
  int shift = 0;
  while (!(d >> 63) && (d << 1) <= n) d <<= 1, shift++;
  for (; shift >= 0; shift--, d >>= 1) {
    q <<= 1;
    if (n >= d) n -= d, q |= 1;
  }
  if (rem) *rem = n;
  return q;
}
uint64_t __udivdi3(uint64_t n, uint64_t d) { return __udivmoddi4(n, d, 0); }
uint64_t __umoddi3(uint64_t n, uint64_t d) {
  uint64_t r;
  __udivmoddi4(n, d, &r);
  return r;
}
