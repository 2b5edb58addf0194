/* Output on COM1 (polled 16550 at 0x3f8) and exit through QEMU's isa-debug-exit at port 0xf4
 * (-device isa-debug-exit,iobase=0xf4,iosize=4; rvos' pc board has it): the emulator exits with
 * (value << 1) | 1, so main's 0 becomes exit status 1 on both. */
#include "rvos.h"

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline u8 inb(u16 port) {
  u8 v;
  __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
  return v;
}

#define COM1 0x3f8
#define LSR_THRE 0x20

void put(char c) {
  while (!(inb(COM1 + 5) & LSR_THRE)) {
  }
  outb(COM1, (u8)c);
}

void bench_exit(int code) {
  __asm__ volatile("outl %0, %1" : : "a"((u32)code), "Nd"((u16)0xf4));
  for (;;) __asm__ volatile("cli; hlt");
}
