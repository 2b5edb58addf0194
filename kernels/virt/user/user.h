/* libc-lite for rvos user programs: system calls, strings, printf, malloc. */
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include "../kernel/abi.h"


/* system calls */
void exit(int status) __attribute__((noreturn));
int fork(void);
int wait(int *status);
int exec(const char *path, char *const argv[]);
int getpid(void);
int getppid(void);
int read(int fd, void *buf, unsigned n);
int write(int fd, const void *buf, unsigned n);
int open(const char *path, int flags);
int close(int fd);
void *sbrk(int n);
int sleep(unsigned ms);
int yield(void);
int pipe(int fds[2]);
void *shm(int key, unsigned size);
int readdir(int fd, struct dirinfo *d);
int fstat(int fd, struct stat *st);
int mkdir(const char *path);
int chdir(const char *path);
int dup(int fd);
int procs(struct procinfo *out, int n);
void shutdown(void) __attribute__((noreturn));
int uptime(void);
int meminfo(struct meminfo *mi);
int unlink(const char *path);
int kill(int pid);
long syscall6(long n, long a0, long a1, long a2, long a3, long a4, long a5);

/* strings and memory */
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strcpy(char *d, const char *s);
char *strchr(const char *s, int c);
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
int atoi(const char *s);

/* stdio-lite */
int printf(const char *fmt, ...);
int fprintf(int fd, const char *fmt, ...);
int snprintf(char *buf, size_t size, const char *fmt, ...);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int puts(const char *s);
char *gets(char *buf, int max);

/* heap (on sbrk) */
void *malloc(size_t n);
void free(void *p);
