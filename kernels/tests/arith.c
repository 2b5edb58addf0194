/* arith: RV32I/M arithmetic edge cases, branches, compressed instructions, loads/stores. */
#include "rvos.h"
#include "arith_expected.h"

typedef u32 (*binop_t)(u32, u32);
typedef u32 (*unop_t)(u32);
extern const binop_t bin_ops[N_BIN];
extern const unop_t un_ops[N_UN];
u32 c_tests(u32 *out);
u32 misc_tests(u32 *out);
u32 straddle_test(void);

static const struct {
  const char *name;
  u32 expect;
} c_expect[] = {
    {"c.li -32", 0xffffffe0},          {"c.li+c.addi", 62},
    {"c.lui 31", 0x1f000},             {"c.lui 0xfffe0", 0xfffe0000},
    {"c.addi16sp -64", 64},            {"c.addi4spn 1020", 1020},
    {"c.slli 31", 0x80000000},         {"c.srli 28", 0xf},
    {"c.srai 3", 0xfffffffc},          {"c.andi -17", 0x12345668},
    {"c.mv+c.add", 0xfffffffe},        {"c.sub", 9},
    {"c.xor", 0xf0f0f0f0},             {"c.or", 0xfff0fff0},
    {"c.and", 0x0f000f00},             {"c.lw", 0xcafef00d},
    {"c.swsp+c.lwsp", 0x600dd00d},     {"c.beqz taken", 0},
    {"c.beqz not taken", 1},           {"c.bnez taken", 0},
    {"c.j", 5},                        {"c.jal link = pc+2", 0},
    {"c.jalr link = pc+2", 0},         {"c.jr", 6},
    {"c.addi wrap", 0x80000000},       {"c.srai 31 positive", 0},
    {"c.sw/c.lw offset 124", 0x1234abcd}, {"c.nop", 7},
};

static const struct {
  const char *name;
  u32 expect;
} misc_expect[] = {
    {"lui 0xfffff", 0xfffff000},
    {"auipc 0x1 - pc", 0x1000},
    {"jal link = pc+4", 0},
    {"jalr odd target, rd == rs1", 0},
    {"jalr negative offset", 0x42},
    {"lb 0x80", 0xffffff80},
    {"lbu 0x80", 0x80},
    {"lb 0x7f", 0x7f},
    {"lb byte 3", 0xffffff80},
    {"lh 0x7f80", 0x7f80},
    {"lh 0x8081", 0xffff8081},
    {"lhu 0x8081", 0x8081},
    {"lw", 0x80817f80},
    {"sb/sh merge", 0xbeefaa00},
    {"x0 stays 0", 3},
    {"lui+addi -1", 0x7fffffff},
    {"fence/fence.i", 16},
};

static void show(const char *what, u32 a, u32 b, u32 got, u32 want) {
  check(got == want, "  %s 0x%08x, 0x%08x = 0x%08x", what, a, b, got);
}

/* Self-modifying code: a function in a RAM buffer, patched and re-run after fence.i. */
static u32 smc_buf[16] __attribute__((aligned(64)));
typedef u32 (*smc_fn)(u32);

static u32 smc_test(void) {
  /* addi a0, a0, imm ; ret (uncompressed) */
  const u32 ret = 0x00008067;
  u32 results = 0;
  for (u32 imm = 1; imm <= 3; imm++) {
    smc_buf[0] = (imm << 20) | (10 << 15) | (10 << 7) | 0x13;
    smc_buf[1] = ret;
    __asm__ volatile("fence.i" ::: "memory");
    results = results * 16 + ((smc_fn)(uptr)smc_buf)(imm * 0x10);
  }
  /* Patch only the second instruction: make it an addi before a new ret. */
  smc_buf[1] = (0x100 << 20) | (10 << 15) | (10 << 7) | 0x13;
  smc_buf[2] = ret;
  __asm__ volatile("fence.i" ::: "memory");
  return (results << 12) | ((smc_fn)(uptr)smc_buf)(0);
}

int main(void) {
  printf("arith: RV32IM register/immediate operations over %u values\n", N_VALUES);
  for (unsigned op = 0; op < N_BIN; op++) {
    unsigned bad = 0;
    for (unsigned i = 0; i < N_VALUES; i++)
      for (unsigned j = 0; j < N_VALUES; j++) {
        u32 got = bin_ops[op](values[i], values[j]);
        u32 want = expect_bin[op][i * N_VALUES + j];
        if (got != want) {
          if (bad < 4)
            printf("  mismatch %s 0x%08x, 0x%08x: got 0x%08x want 0x%08x\n", bin_names[op], values[i],
                   values[j], got, want);
          bad++;
        }
      }
    check(bad == 0, "%s: %u cases, %u wrong", bin_names[op], N_VALUES * N_VALUES, bad);
  }
  for (unsigned op = 0; op < N_UN; op++) {
    unsigned bad = 0;
    for (unsigned i = 0; i < N_VALUES; i++) {
      u32 got = un_ops[op](values[i]);
      if (got != expect_un[op][i]) {
        if (bad < 4)
          printf("  mismatch %s 0x%08x: got 0x%08x want 0x%08x\n", un_names[op], values[i], got,
                 expect_un[op][i]);
        bad++;
      }
    }
    check(bad == 0, "%s: %u cases, %u wrong", un_names[op], N_VALUES, bad);
  }

  printf("edge cases:\n");
  /* Indices into the op table (order of gen_arith.py BIN). */
  enum { MUL = 10, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU, SLL = 2, SRA = 7, SLTU = 4 };
  show("div", 0x80000000, 0xffffffff, bin_ops[DIV](0x80000000, 0xffffffff), 0x80000000);
  show("rem", 0x80000000, 0xffffffff, bin_ops[REM](0x80000000, 0xffffffff), 0);
  show("div", 1234, 0, bin_ops[DIV](1234, 0), 0xffffffff);
  show("divu", 1234, 0, bin_ops[DIVU](1234, 0), 0xffffffff);
  show("rem", 0xfffffb2e, 0, bin_ops[REM](0xfffffb2e, 0), 0xfffffb2e);
  show("remu", 1234, 0, bin_ops[REMU](1234, 0), 1234);
  show("div", 0xfffffff9, 2, bin_ops[DIV](0xfffffff9, 2), 0xfffffffd);
  show("rem", 0xfffffff9, 2, bin_ops[REM](0xfffffff9, 2), 0xffffffff);
  show("mul", 0x12345678, 0x9abcdef0, bin_ops[MUL](0x12345678, 0x9abcdef0), 0x242d2080);
  show("mulh", 0x80000000, 0x80000000, bin_ops[MULH](0x80000000, 0x80000000), 0x40000000);
  show("mulh", 0xffffffff, 0xffffffff, bin_ops[MULH](0xffffffff, 0xffffffff), 0);
  show("mulhsu", 0xffffffff, 0xffffffff, bin_ops[MULHSU](0xffffffff, 0xffffffff), 0xffffffff);
  show("mulhsu", 0x80000000, 0xffffffff, bin_ops[MULHSU](0x80000000, 0xffffffff), 0x80000000);
  show("mulhu", 0xffffffff, 0xffffffff, bin_ops[MULHU](0xffffffff, 0xffffffff), 0xfffffffe);
  show("sll", 1, 33, bin_ops[SLL](1, 33), 2);
  show("sra", 0x80000000, 63, bin_ops[SRA](0x80000000, 63), 0xffffffff);
  show("sltu", 0, 0xffffffff, bin_ops[SLTU](0, 0xffffffff), 1);

  printf("compressed:\n");
  u32 out[32];
  u32 n = c_tests(out);
  check(n == ARRAY_SIZE(c_expect), "  %u results", n);
  for (u32 i = 0; i < n && i < ARRAY_SIZE(c_expect); i++)
    check(out[i] == c_expect[i].expect, "  %s = 0x%08x", c_expect[i].name, out[i]);

  printf("misc RV32I:\n");
  n = misc_tests(out);
  check(n == ARRAY_SIZE(misc_expect), "  %u results", n);
  for (u32 i = 0; i < n && i < ARRAY_SIZE(misc_expect); i++)
    check(out[i] == misc_expect[i].expect, "  %s = 0x%08x", misc_expect[i].name, out[i]);

  u32 smc = smc_test();
  check(smc == 0x01353103, "self-modifying code with fence.i: 0x%08x", smc);

  u32 s = straddle_test();
  check(s == 0x12345003, "instruction across a page boundary (at 0x%08x): 0x%08x",
        (u32)(uptr)straddle_test + 6, s);
  finish("arith");
}
