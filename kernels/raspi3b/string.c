/* clang may emit calls to these for aggregate copies and initialisers even when freestanding. */
#include "rpi.h"

void *memset(void *d, int c, size_t n) {
  volatile unsigned char *p = d; /* volatile: keep clang from turning this loop back into memset */
  while (n--) *p++ = (unsigned char)c;
  return d;
}

void *memcpy(void *d, const void *s, size_t n) {
  volatile unsigned char *p = d;
  const unsigned char *q = s;
  while (n--) *p++ = *q++;
  return d;
}
