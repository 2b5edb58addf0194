/* atomics: LR/SC (success, failure, reservation rules) and every AMO with signed/unsigned edge
 * values, aq/rl encodings and register aliasing. */
#include "rvos.h"

static volatile u32 cell[64] __attribute__((aligned(64)));

#define AMO(fn, insn)                                                                              \
  static u32 fn(volatile u32 *p, u32 v) {                                                          \
    u32 old;                                                                                       \
    __asm__ volatile(insn " %0, %2, (%1)" : "=&r"(old) : "r"(p), "r"(v) : "memory");               \
    return old;                                                                                    \
  }
AMO(do_amoswap, "amoswap.w")
AMO(do_amoadd, "amoadd.w")
AMO(do_amoxor, "amoxor.w")
AMO(do_amoand, "amoand.w")
AMO(do_amoor, "amoor.w")
AMO(do_amomin, "amomin.w")
AMO(do_amomax, "amomax.w")
AMO(do_amominu, "amominu.w")
AMO(do_amomaxu, "amomaxu.w")
AMO(do_amoadd_aq, "amoadd.w.aq")
AMO(do_amoadd_rl, "amoadd.w.rl")
AMO(do_amoadd_aqrl, "amoadd.w.aqrl")
AMO(do_amoswap_aqrl, "amoswap.w.aqrl")
AMO(do_amomaxu_aq, "amomaxu.w.aq")
#undef AMO

static u32 ref(int op, u32 a, u32 b) {
  switch (op) {
  case 0: return b;
  case 1: return a + b;
  case 2: return a ^ b;
  case 3: return a & b;
  case 4: return a | b;
  case 5: return (s32)a < (s32)b ? a : b;
  case 6: return (s32)a > (s32)b ? a : b;
  case 7: return a < b ? a : b;
  default: return a > b ? a : b;
  }
}

static u32 lr(volatile u32 *p) {
  u32 v;
  __asm__ volatile("lr.w %0, (%1)" : "=r"(v) : "r"(p) : "memory");
  return v;
}
static u32 sc(volatile u32 *p, u32 v) {
  u32 r;
  __asm__ volatile("sc.w %0, %2, (%1)" : "=&r"(r) : "r"(p), "r"(v) : "memory");
  return r;
}

int main(void) {
  printf("atomics: AMOs (old value returned, memory updated)\n");
  static const char *const names[] = {"amoswap.w", "amoadd.w",  "amoxor.w",  "amoand.w", "amoor.w",
                                      "amomin.w",  "amomax.w",  "amominu.w", "amomaxu.w"};
  static u32 (*const fns[])(volatile u32 *, u32) = {
      do_amoswap, do_amoadd, do_amoxor, do_amoand, do_amoor,
      do_amomin,  do_amomax, do_amominu, do_amomaxu};
  static const u32 pairs[][2] = {
      {5, 3},          {0x80000000, 1},          {0xffffffff, 1},
      {0x7fffffff, 0x80000000}, {0xfffffffb, 3}, {0x12345678, 0xf0f0f0f0},
  };
  for (unsigned op = 0; op < ARRAY_SIZE(fns); op++) {
    for (unsigned i = 0; i < ARRAY_SIZE(pairs); i++) {
      u32 a = pairs[i][0], b = pairs[i][1];
      cell[0] = a;
      cell[1] = 0xcccccccc;
      u32 old = fns[op](&cell[0], b);
      u32 now = cell[0];
      check(old == a && now == ref(op, a, b) && cell[1] == 0xcccccccc,
            "  %s mem 0x%08x, rs2 0x%08x: rd 0x%08x mem 0x%08x", names[op], a, b, old, now);
    }
  }

  printf("ordering bits (.aq/.rl) decode as the same operations:\n");
  cell[0] = 10;
  check(do_amoadd_aq(&cell[0], 1) == 10 && do_amoadd_rl(&cell[0], 2) == 11 &&
            do_amoadd_aqrl(&cell[0], 3) == 13 && cell[0] == 16,
        "  amoadd.w.aq/.rl/.aqrl -> 0x%08x", cell[0]);
  check(do_amoswap_aqrl(&cell[0], 7) == 16 && do_amomaxu_aq(&cell[0], 0x80000000) == 7 &&
            cell[0] == 0x80000000,
        "  amoswap.w.aqrl, amomaxu.w.aq -> 0x%08x", cell[0]);

  printf("register aliasing:\n");
  cell[0] = 100;
  u32 r;
  __asm__ volatile("li a0, 5\n amoadd.w a0, a0, (%1)\n mv %0, a0" : "=r"(r) : "r"(&cell[0]) : "a0", "memory");
  check(r == 100 && cell[0] == 105, "  amoadd.w a0, a0, (x): rd 0x%08x mem 0x%08x", r, cell[0]);
  __asm__ volatile("mv a1, %1\n li a0, 7\n amoswap.w a1, a0, (a1)\n mv %0, a1" : "=r"(r) : "r"(&cell[0]) : "a0", "a1", "memory");
  check(r == 105 && cell[0] == 7, "  amoswap.w a1, a0, (a1): rd 0x%08x mem 0x%08x", r, cell[0]);
  __asm__ volatile("li a0, 9\n amoadd.w zero, a0, (%0)" ::"r"(&cell[0]) : "a0", "memory");
  check(cell[0] == 16, "  amoadd.w zero, ...: mem 0x%08x", cell[0]);

  printf("LR/SC:\n");
  cell[0] = 0x1111;
  u32 v = lr(&cell[0]);
  u32 s1 = sc(&cell[0], 0x2222);
  check(v == 0x1111 && s1 == 0 && cell[0] == 0x2222, "  lr.w then sc.w succeeds (rd = 0)");
  u32 s2 = sc(&cell[0], 0x3333);
  check(s2 != 0 && cell[0] == 0x2222, "  a second sc.w fails (rd != 0), memory unchanged");
  check(s2 == 1, "  failure code is 1");
  cell[32] = 0x4444;
  lr(&cell[0]);
  u32 s3 = sc(&cell[32], 0x5555);
  check(s3 != 0 && cell[32] == 0x4444, "  sc.w to another address than lr.w fails");
  sc(&cell[0], 0); /* clear whatever is left */
  cell[0] = 0;
  u32 retries = 0;
  for (int i = 0; i < 100; i++) {
    for (;;) {
      u32 x = lr(&cell[0]);
      if (sc(&cell[0], x + 3) == 0) break;
      retries++;
    }
  }
  check(cell[0] == 300, "  100 LR/SC increments by 3: 0x%08x", cell[0]);
  u32 a, q;
  __asm__ volatile("lr.w.aq %0, (%2)\n sc.w.rl %1, %3, (%2)" : "=&r"(a), "=&r"(q) : "r"(&cell[0]), "r"(7u) : "memory");
  check(a == 300 && q == 0 && cell[0] == 7, "  lr.w.aq / sc.w.rl");
  __asm__ volatile("lr.w.aqrl %0, (%2)\n sc.w.aqrl %1, %3, (%2)" : "=&r"(a), "=&r"(q) : "r"(&cell[0]), "r"(8u) : "memory");
  check(a == 7 && q == 0 && cell[0] == 8, "  lr.w.aqrl / sc.w.aqrl");
  finish("atomics");
}
