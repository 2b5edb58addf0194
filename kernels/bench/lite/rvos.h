/* The part of kernels/lib/rvos.h that bench.c uses, for its AArch64 and i386 builds: the types,
 * printf-lite (printf.c) and memset. Each platform's folder supplies put() and bench_exit():
 * a64/ through Arm semihosting, i386/ through COM1 and QEMU's isa-debug-exit. */
#ifndef RVOS_LITE_H
#define RVOS_LITE_H

#include <stdarg.h>
#include <stdint.h>

typedef uint32_t u32;
typedef int32_t s32;
typedef uint64_t u64;
typedef uint8_t u8;
typedef uint16_t u16;
typedef uintptr_t uptr;

void printf_(const char *fmt, ...);
/* One character of printf output (platform file). */
void put(char c);
#define printf printf_
void *memset(void *d, int c, unsigned long n);
/* Ends the run with main's return value. */
__attribute__((noreturn)) void bench_exit(int code);

#endif
