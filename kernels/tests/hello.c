/* hello: greeting, hartid (a0) and the device-tree magic found at a1. */
#include "rvos.h"

static u32 be32(const volatile u8 *p) { return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3]; }

int main(u32 hartid, uptr dtb) {
  printf("Hello from rvos test kernel!\n");
  printf("hartid: %u\n", hartid);
  u32 magic = be32((const volatile u8 *)dtb);
  printf("dtb magic: 0x%08x\n", magic);
  check(hartid == 0, "hart 0");
  check(magic == 0xd00dfeed, "dtb magic is 0xd00dfeed");
  check((dtb & 7) == 0 && dtb >= 0x80000000u, "dtb in RAM, 8-byte aligned");
  u32 totalsize = be32((const volatile u8 *)dtb + 4);
  check(dtb + totalsize <= 0x88000000u, "dtb inside RAM");
  finish("hello");
}
