/* fault KIND: does one thing the kernel must not allow; usertests runs it and expects it killed. */
#include "user.h"

static int streq(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}

static volatile uint64_t sink;

/* Never returns: the stack runs into the unmapped page below it. */
#pragma clang diagnostic ignored "-Winfinite-recursion"
static unsigned recurse(unsigned n) {
  volatile char pad[512];
  pad[0] = (char)n;
  return recurse(n + 1) + pad[0];
}

int main(int argc, char **argv) {
  const char *k = argc > 1 ? argv[1] : "";
  if (streq(k, "null")) sink = *(volatile uint64_t *)0;                       /* nothing mapped there */
  if (streq(k, "unmapped")) sink = *(volatile uint64_t *)0x4000000000UL;      /* no level 1 entry */
  if (streq(k, "text")) *(volatile uint32_t *)(uintptr_t)main = 0;            /* read-only text */
  if (streq(k, "stack")) sink = recurse(0);                                   /* below the 4 stack pages */
  if (streq(k, "kernel")) ((void (*)(void))0xffffff8000080000UL)();           /* kernel text: EL1-only */
  if (streq(k, "data")) { /* a RET written to the BSS (read-write, execute-never) */
    static volatile uint32_t code[1];
    code[0] = 0xd65f03c0;
    ((void (*)(void))(uintptr_t)code)();
  }
  if (streq(k, "misaligned")) ((void (*)(void))((uintptr_t)main + 2))();      /* PC alignment */
  if (streq(k, "brk")) __asm__ volatile("brk #1");
  if (streq(k, "wfi")) __asm__ volatile("wfi");                                /* SCTLR_EL1.nTWI = 0 */
  if (streq(k, "syscall")) syscall(999, 0, 0, 0);
  if (streq(k, "readro")) read(open("/README"), (void *)(uintptr_t)main, 16); /* into text */
  if (streq(k, "sysreg")) __asm__ volatile("mrs x0, ttbr0_el1" ::: "x0");
  printf("fault: %s did not fault\n", k);
  return 0;
}
