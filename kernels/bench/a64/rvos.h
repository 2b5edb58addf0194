/* The part of kernels/lib/rvos.h that bench.c uses, for its AArch64 build (bench-a64.elf): the
 * types, printf-lite and memset. Output and exit go through Arm semihosting (semihost.c), so the
 * same ELF runs on rvos' bare aarch64 bench board and on QEMU's raspi3b with -semihosting. */
#ifndef RVOS_A64_H
#define RVOS_A64_H

#include <stdarg.h>
#include <stdint.h>

typedef uint32_t u32;
typedef int32_t s32;
typedef uint64_t u64;
typedef uint8_t u8;
typedef uint16_t u16;
typedef uintptr_t uptr;

void printf_(const char *fmt, ...);
#define printf printf_
void *memset(void *d, int c, unsigned long n);
__attribute__((noreturn)) void semihost_exit(int code);

#endif
