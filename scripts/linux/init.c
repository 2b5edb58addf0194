/* /init for the small Linux builds (scripts/linux-arm64, scripts/linux-i386, scripts/linux-rv32): a
 * static program with no libc. It prints a line, the uname fields and /proc/cpuinfo on the console,
 * then powers the machine off. The system calls are raw: aarch64 (include/uapi/asm-generic/unistd.h:
 * svc #0, number in x8, arguments in x0-x5, result in x0), riscv (the same numbers: ecall, number in
 * a7, arguments in a0-a5, result in a0) or i386 (arch/x86/entry/syscalls/syscall_32.tbl: int $0x80,
 * number in eax, arguments in ebx, ecx, edx, esi, edi, result in eax). */
#define AT_FDCWD (-100)

#if defined(__aarch64__) || defined(__riscv)
#define SYS_mount 40
#define SYS_openat 56
#define SYS_close 57
#define SYS_read 63
#define SYS_write 64
#define SYS_exit 93
#define SYS_reboot 142
#define SYS_uname 160
#endif

#if defined(__aarch64__)
static long syscall6(long n, long a, long b, long c, long d, long e) {
  register long x8 __asm__("x8") = n;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  register long x3 __asm__("x3") = d;
  register long x4 __asm__("x4") = e;
  __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4) : "memory");
  return x0;
}
#elif defined(__riscv)
static long syscall6(long n, long a, long b, long c, long d, long e) {
  register long a7 __asm__("a7") = n;
  register long a0 __asm__("a0") = a;
  register long a1 __asm__("a1") = b;
  register long a2 __asm__("a2") = c;
  register long a3 __asm__("a3") = d;
  register long a4 __asm__("a4") = e;
  __asm__ volatile("ecall" : "+r"(a0) : "r"(a7), "r"(a1), "r"(a2), "r"(a3), "r"(a4) : "memory");
  return a0;
}
#elif defined(__i386__)
#define SYS_exit 1
#define SYS_read 3
#define SYS_write 4
#define SYS_close 6
#define SYS_mount 21
#define SYS_reboot 88
#define SYS_iopl 110
#define SYS_uname 122 /* newuname */
#define SYS_openat 295

static long syscall6(long n, long a, long b, long c, long d, long e) {
  long r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e) : "memory");
  return r;
}
#else
#error "init.c: unknown architecture"
#endif

static unsigned long length(const char *s) {
  unsigned long n = 0;
  while (s[n]) n++;
  return n;
}

static void put(const char *s) { syscall6(SYS_write, 1, (long)s, (long)length(s), 0, 0); }

/* struct new_utsname: six fields of 65 bytes. */
static char uts[6][65];
static char buf[4096];

void start(void) {
  /* The kernel opened /dev/console as fds 0-2 (the initramfs has /dev/console). */
  put("rvos-init: hello from /init\n");
  if (syscall6(SYS_uname, (long)uts, 0, 0, 0, 0) == 0) {
    put("uname: ");
    for (int i = 0; i < 5; i++) {
      put(uts[i]);
      put(i < 4 ? " " : "\n");
    }
  }
  if (syscall6(SYS_mount, (long)"proc", (long)"/proc", (long)"proc", 0, 0) == 0) {
    long fd = syscall6(SYS_openat, AT_FDCWD, (long)"/proc/cpuinfo", 0, 0, 0);
    if (fd >= 0) {
      long n;
      while ((n = syscall6(SYS_read, fd, (long)buf, sizeof buf, 0, 0)) > 0) syscall6(SYS_write, 1, (long)buf, n, 0, 0);
      syscall6(SYS_close, fd, 0, 0, 0, 0);
    }
  }
  put("rvos-init: powering off\n");
#if defined(__i386__)
  /* A PC without ACPI has no power-off: leave through QEMU's isa-debug-exit (port 0xf4; the run
   * ends with status (0 << 1) | 1), which rvos' pc board has too. iopl(3) lets /init use OUT. */
  if (syscall6(SYS_iopl, 3, 0, 0, 0, 0) == 0) __asm__ volatile("outl %0, %1" : : "a"(0), "Nd"((unsigned short)0xf4));
#endif
  /* reboot(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF) */
  syscall6(SYS_reboot, (long)0xfee1dead, 672274793, 0x4321fedc, 0, 0);
  put("rvos-init: power-off failed\n");
  for (;;) syscall6(SYS_exit, 1, 0, 0, 0, 0); /* PID 1 exiting panics the kernel */
}

/* Entry: the stack pointer points at argc; nothing of it is used. */
#if defined(__aarch64__)
__asm__(".globl _start\n_start:\n  bl start\n  b .\n");
#elif defined(__riscv)
/* gp first: the linker relaxes accesses near __global_pointer$ to gp-relative ones. */
__asm__(".globl _start\n_start:\n  .option push\n  .option norelax\n  la gp, __global_pointer$\n  .option pop\n"
        "  call start\n  j .\n");
#else
__asm__(".globl _start\n_start:\n  call start\n  jmp .\n");
#endif
