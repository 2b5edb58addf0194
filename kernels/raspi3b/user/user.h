/* What user programs see: system calls (ulib.c) and a printf that writes each call's output in
 * one write(), so lines of different processes do not mix. */
#ifndef USER_H
#define USER_H

#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>

long write(int fd, const void *buf, size_t len);
void exit(int code) __attribute__((noreturn));
int getpid(void);
void yield(void);
void sleep_ms(unsigned ms);
unsigned preempted(void);
int spawn(const char *name, char *const argv[]); /* pid, or -1 */
int wait(int pid);                               /* the child's exit code (-1: killed), or -1 */
long syscall(long n, long a, long b, long c);    /* any call, for tests */
int open(const char *path);                      /* a file of the SD card, read-only: fd, or -1 */
long read(int fd, void *buf, size_t len);        /* bytes, 0 at the end, -1 for a bad fd */
int close(int fd);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
unsigned atou(const char *s);
/* The generic counter, readable at EL0 (the kernel sets CNTKCTL_EL1.EL0VCTEN). */
static inline uint64_t counter(void) { uint64_t v; __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v)); return v; }
static inline uint64_t counter_hz(void) { uint64_t v; __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v)); return v; }

#endif
