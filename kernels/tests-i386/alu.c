/* ALU/flags differential test for i386 (issue 9): every ALU, shift/rotate, multiply/divide, BCD, bit-scan
 * and exchange instruction class at 8/16/32 bits over edge operands and flag inputs. Per instruction it
 * prints two CRC-32 lines on COM1: "<name> def" over the results and EFLAGS masked to the flags the SDM
 * defines for that case, and "<name> all" over the results and every arithmetic flag (QEMU 7.2 is the
 * reference for the undefined ones). test/qemu/i386-alu.test.ts and test/machine/i386-alu.test.ts compare
 * QEMU's and rvos' output with alu.expected. Build with -DVERBOSE (make verbose) to print every case. */
#include "rvos.h"

#define ARITH 0x8d5u /* OF SF ZF AF PF CF */
#define CF 0x001u
#define PF 0x004u
#define AF 0x010u
#define ZF 0x040u
#define SF 0x080u
#define OF 0x800u

/* out[0], out[1]: results; out[2]: EFLAGS after. fin: EFLAGS before (IF, TF, DF clear). */
typedef void test_fn(u32 a, u32 b, u32 fin, u32 *out);
/* Defined-flag mask of one case (the result words too: bit 31 of the return value clear = results undefined). */
typedef u32 mask_fn(u32 a, u32 b, u32 fin, unsigned width);

#define DEFINED_RESULT 0x80000000u

static u32 crc_table[256];
static void crc_init(void) {
  for (u32 i = 0; i < 256; i++) {
    u32 c = i;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    crc_table[i] = c;
  }
}
static u32 crc_word(u32 crc, u32 w) {
  for (int k = 0; k < 4; k++, w >>= 8) crc = crc_table[(crc ^ w) & 0xff] ^ (crc >> 8);
  return crc;
}

static const u32 FLAGS_IN[] = {0x002, 0x003, 0x012, 0x013, 0x8c6, 0x8c7, 0x8d6, 0x8d7};
#define NFIN (sizeof(FLAGS_IN) / sizeof(FLAGS_IN[0]))

static u32 values[24];
static unsigned nvalues;
static const u32 EDGES[] = {0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
                            0x12345678, 0x9abcdef0, 0x00010000, 0x0f0f8001};
static const u32 COUNTS[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33};

static u32 lcg = 0x2545f491;
static u32 rnd(void) {
  lcg = lcg * 1664525u + 1013904223u;
  return lcg;
}
static void make_values(void) {
  for (unsigned i = 0; i < sizeof(EDGES) / sizeof(EDGES[0]); i++) values[nvalues++] = EDGES[i];
  while (nvalues < sizeof(values) / sizeof(values[0])) values[nvalues++] = rnd();
}

/* The operand pairs a test runs on. */
enum shape { PAIRS, SHIFTS, SINGLE, BYTES16 };

static void run(const char *name, test_fn *fn, mask_fn *mask, u32 allmask, enum shape shape, unsigned width) {
  u32 def = 0xffffffff, all = 0xffffffff, out[3];
  unsigned na = shape == BYTES16 ? 256 * 3 : nvalues;
  unsigned nb = shape == PAIRS ? nvalues : shape == SHIFTS ? sizeof(COUNTS) / sizeof(COUNTS[0]) : 1;
  for (unsigned i = 0; i < na; i++) {
    u32 a = shape == BYTES16 ? (i & 0xff) | (u32)(i >> 8 == 0 ? 0x00 : i >> 8 == 1 ? 0x12 : 0xff) << 8 : values[i];
    for (unsigned j = 0; j < nb; j++) {
      u32 b = shape == PAIRS ? values[j] : shape == SHIFTS ? COUNTS[j] : 0;
      for (unsigned k = 0; k < NFIN; k++) {
        u32 fin = FLAGS_IN[k];
        out[0] = out[1] = 0;
        fn(a, b, fin, out);
        u32 m = mask ? mask(a, b, fin, width) : (ARITH | DEFINED_RESULT);
        if (m & DEFINED_RESULT) def = crc_word(crc_word(def, out[0]), out[1]);
        def = crc_word(def, out[2] & m & ARITH);
        all = crc_word(crc_word(crc_word(all, out[0]), out[1]), out[2] & allmask);
#ifdef VERBOSE
        printf("%s %x %x %x: %x %x %x\n", name, a, b, fin, out[0], out[1], out[2] & ARITH);
#endif
      }
    }
  }
  printf("%s def %x\n%s all %x\n", name, ~def, name, ~all);
}

/* ---- masks (SDM vol. 2 "Flags Affected") ---- */
static u32 m_none(u32 a, u32 b, u32 fin, unsigned w) { return 0; }
static u32 m_logic(u32 a, u32 b, u32 fin, unsigned w) { return DEFINED_RESULT | (ARITH & ~AF); }
static u32 m_mul(u32 a, u32 b, u32 fin, unsigned w) { return DEFINED_RESULT | CF | OF; }
static u32 m_div(u32 a, u32 b, u32 fin, unsigned w) { return DEFINED_RESULT; }
static u32 m_bt(u32 a, u32 b, u32 fin, unsigned w) { return DEFINED_RESULT | CF | ZF; }
static u32 m_bsf(u32 a, u32 b, u32 fin, unsigned w) {
  u32 src = w == 16 ? a & 0xffff : a;
  return (src ? DEFINED_RESULT : 0) | ZF;
}
static u32 m_daa(u32 a, u32 b, u32 fin, unsigned w) { return DEFINED_RESULT | (ARITH & ~OF); }
static u32 m_aaa(u32 a, u32 b, u32 fin, unsigned w) { return DEFINED_RESULT | AF | CF; }
static u32 m_aam(u32 a, u32 b, u32 fin, unsigned w) { return DEFINED_RESULT | SF | ZF | PF; }
/* SHL/SHR/SAR: count 0 changes nothing; AF undefined; OF only for count 1; CF undefined for count >= width. */
static u32 m_shift(u32 a, u32 b, u32 fin, unsigned w) {
  unsigned c = b & 31;
  if (c == 0) return DEFINED_RESULT | ARITH;
  u32 m = DEFINED_RESULT | SF | ZF | PF | CF | (c == 1 ? OF : 0);
  return c >= w ? m & ~CF : m;
}
/* ROL/ROR/RCL/RCR: only CF and OF change; OF only for count 1. */
static u32 m_rot(u32 a, u32 b, u32 fin, unsigned w) {
  unsigned c = b & 31;
  return DEFINED_RESULT | (ARITH & ~(c > 1 ? OF : 0));
}
/* SHLD/SHRD: as shifts, and count > width (16-bit) leaves result and flags undefined. */
static u32 m_shd(u32 a, u32 b, u32 fin, unsigned w) {
  unsigned c = b & 31;
  if (c == 0) return DEFINED_RESULT | ARITH;
  if (c > w) return 0;
  return DEFINED_RESULT | SF | ZF | PF | CF | (c == 1 ? OF : 0);
}

/* Fixed-count forms (counts 7, 9, 17): a mask that holds for any count above 1; the "all" line checks the rest. */
static u32 m_shift_imm(u32 a, u32 b, u32 fin, unsigned w) { return m_shift(a, 2, fin, w) & ~CF; }
static u32 m_rot_imm(u32 a, u32 b, u32 fin, unsigned w) { return m_rot(a, 2, fin, w); }
static u32 m_shd_imm(u32 a, u32 b, u32 fin, unsigned w) { return m_shd(a, 2, fin, w); }

/* ---- test bodies ---- */
#define SETF "push %[fin]\n\tpopf\n\t"
#define GETF "\n\tpushf\n\tpop %[fl]"

/* dst = dst OP src, 8/16/32-bit */
#define BIN(op)                                                                                        \
  static void t_##op##8(u32 a, u32 b, u32 fin, u32 *o) {                                             \
    u32 fl;                                                                                          \
    __asm__ volatile(SETF #op "b %b[b], %b[a]" GETF : [a] "+q"(a), [fl] "=&r"(fl) : [b] "q"(b), [fin] "r"(fin) : "cc"); \
    o[0] = a, o[2] = fl;                                                                             \
  }                                                                                                  \
  static void t_##op##16(u32 a, u32 b, u32 fin, u32 *o) {                                            \
    u32 fl;                                                                                          \
    __asm__ volatile(SETF #op "w %w[b], %w[a]" GETF : [a] "+r"(a), [fl] "=&r"(fl) : [b] "r"(b), [fin] "r"(fin) : "cc"); \
    o[0] = a, o[2] = fl;                                                                             \
  }                                                                                                  \
  static void t_##op##32(u32 a, u32 b, u32 fin, u32 *o) {                                            \
    u32 fl;                                                                                          \
    __asm__ volatile(SETF #op "l %[b], %[a]" GETF : [a] "+r"(a), [fl] "=&r"(fl) : [b] "r"(b), [fin] "r"(fin) : "cc"); \
    o[0] = a, o[2] = fl;                                                                             \
  }
BIN(add) BIN(adc) BIN(sub) BIN(sbb) BIN(cmp) BIN(and) BIN(or) BIN(xor) BIN(test) BIN(bt) BIN(bts) BIN(btr)
BIN(btc) BIN(bsf) BIN(bsr)

/* immediate forms: 80/81 imm, 83 sign-extended imm8, and the accumulator forms (04, 05 ...) */
#define IMM(op)                                                                                        \
  static void t_##op##i8(u32 a, u32 b, u32 fin, u32 *o) {                                            \
    u32 fl, c = a;                                                                                   \
    __asm__ volatile(SETF #op "b $0x81, %b[c]\n\t" #op "b $0x7f, %%al" GETF                            \
                     : [c] "+q"(c), "+a"(a), [fl] "=&r"(fl) : [fin] "r"(fin) : "cc");                  \
    o[0] = c, o[1] = a, o[2] = fl;                                                                   \
  }                                                                                                  \
  static void t_##op##i16(u32 a, u32 b, u32 fin, u32 *o) {                                           \
    u32 fl, c = a;                                                                                   \
    __asm__ volatile(SETF #op "w $-128, %w[c]\n\t" #op "w $0x8001, %%ax" GETF                         \
                     : [c] "+r"(c), "+a"(a), [fl] "=&r"(fl) : [fin] "r"(fin) : "cc");                  \
    o[0] = c, o[1] = a, o[2] = fl;                                                                   \
  }                                                                                                  \
  static void t_##op##i32(u32 a, u32 b, u32 fin, u32 *o) {                                           \
    u32 fl, c = a;                                                                                   \
    __asm__ volatile(SETF #op "l $0x7f, %[c]\n\t" #op "l $0x80000001, %%eax" GETF                      \
                     : [c] "+r"(c), "+a"(a), [fl] "=&r"(fl) : [fin] "r"(fin) : "cc");                  \
    o[0] = c, o[1] = a, o[2] = fl;                                                                   \
  }
IMM(add) IMM(adc) IMM(sub) IMM(sbb) IMM(cmp) IMM(and) IMM(or) IMM(xor) IMM(test)

/* memory destinations (read-modify-write through ModRM) */
#define MEM(op)                                                                                        \
  static void t_##op##m8(u32 a, u32 b, u32 fin, u32 *o) {                                            \
    u32 fl;                                                                                          \
    volatile u32 m = a;                                                                              \
    __asm__ volatile(SETF #op "b %b[b], %[m]" GETF : [m] "+m"(m), [fl] "=&r"(fl) : [b] "q"(b), [fin] "r"(fin) : "cc"); \
    o[0] = m, o[2] = fl;                                                                             \
  }                                                                                                  \
  static void t_##op##m16(u32 a, u32 b, u32 fin, u32 *o) {                                           \
    u32 fl;                                                                                          \
    volatile u32 m = a;                                                                              \
    __asm__ volatile(SETF #op "w %w[b], %[m]" GETF : [m] "+m"(m), [fl] "=&r"(fl) : [b] "r"(b), [fin] "r"(fin) : "cc"); \
    o[0] = m, o[2] = fl;                                                                             \
  }                                                                                                  \
  static void t_##op##m32(u32 a, u32 b, u32 fin, u32 *o) {                                           \
    u32 fl;                                                                                          \
    volatile u32 m = a;                                                                              \
    __asm__ volatile(SETF #op "l %[b], %[m]" GETF : [m] "+m"(m), [fl] "=&r"(fl) : [b] "r"(b), [fin] "r"(fin) : "cc"); \
    o[0] = m, o[2] = fl;                                                                             \
  }
MEM(add) MEM(adc) MEM(sbb) MEM(xor) MEM(xadd)
#define CMPXCHGM(w, sfx, mod, con)                                                                     \
  static void t_cmpxchgm##w(u32 a, u32 b, u32 fin, u32 *o) {                                         \
    u32 fl, acc = (b & 4) ? a : b ^ 0x80;                                                            \
    volatile u32 m = a;                                                                              \
    __asm__ volatile(SETF "cmpxchg" sfx " %" mod "[b], %[m]" GETF                                      \
                     : [m] "+m"(m), "+a"(acc), [fl] "=&r"(fl) : [b] con(b), [fin] "r"(fin) : "cc");    \
    o[0] = m, o[1] = acc, o[2] = fl;                                                                 \
  }
CMPXCHGM(8, "b", "b", "q") CMPXCHGM(16, "w", "w", "r") CMPXCHGM(32, "l", "k", "r")

/* shifts by an immediate (C0/C1) */
#define SHI(op, n)                                                                                     \
  static void t_##op##i##n##_8(u32 a, u32 b, u32 fin, u32 *o) {                                      \
    u32 fl;                                                                                          \
    __asm__ volatile(SETF #op "b $" #n ", %b[a]" GETF : [a] "+q"(a), [fl] "=&r"(fl) : [fin] "r"(fin) : "cc"); \
    o[0] = a, o[2] = fl;                                                                             \
  }                                                                                                  \
  static void t_##op##i##n##_16(u32 a, u32 b, u32 fin, u32 *o) {                                     \
    u32 fl;                                                                                          \
    __asm__ volatile(SETF #op "w $" #n ", %w[a]" GETF : [a] "+r"(a), [fl] "=&r"(fl) : [fin] "r"(fin) : "cc"); \
    o[0] = a, o[2] = fl;                                                                             \
  }                                                                                                  \
  static void t_##op##i##n##_32(u32 a, u32 b, u32 fin, u32 *o) {                                     \
    u32 fl;                                                                                          \
    __asm__ volatile(SETF #op "l $" #n ", %[a]" GETF : [a] "+r"(a), [fl] "=&r"(fl) : [fin] "r"(fin) : "cc"); \
    o[0] = a, o[2] = fl;                                                                             \
  }
SHI(shl, 9) SHI(shr, 7) SHI(sar, 17) SHI(rol, 9) SHI(ror, 17) SHI(rcl, 7) SHI(rcr, 9)
static void t_shldi_32(u32 a, u32 b, u32 fin, u32 *o) {
  u32 fl, s = a * 0x9e3779b1u + 0x5bd1e995u;
  __asm__ volatile(SETF "shldl $5, %[s], %[a]" GETF : [a] "+r"(a), [fl] "=&r"(fl) : [s] "r"(s), [fin] "r"(fin) : "cc");
  o[0] = a, o[2] = fl;
}
static void t_shrdi_16(u32 a, u32 b, u32 fin, u32 *o) {
  u32 fl, s = a * 0x9e3779b1u + 0x5bd1e995u;
  __asm__ volatile(SETF "shrdw $3, %w[s], %w[a]" GETF : [a] "+r"(a), [fl] "=&r"(fl) : [s] "r"(s), [fin] "r"(fin) : "cc");
  o[0] = a, o[2] = fl;
}

/* Conditions read from the flags an operation left (SETcc for all 16, then ADC consuming CF), not
 * through PUSHF: an emulator that evaluates conditions lazily must agree with its EFLAGS image. */
#define SETCCS                                                                                         \
  "\n\tseto 0(%[p])\n\tsetno 1(%[p])\n\tsetb 2(%[p])\n\tsetae 3(%[p])\n\tsete 4(%[p])\n\tsetne 5(%[p])"      \
  "\n\tsetbe 6(%[p])\n\tseta 7(%[p])\n\tsets 8(%[p])\n\tsetns 9(%[p])\n\tsetp 10(%[p])\n\tsetnp 11(%[p])"  \
  "\n\tsetl 12(%[p])\n\tsetge 13(%[p])\n\tsetle 14(%[p])\n\tsetg 15(%[p])\n\tadcl $0, %[x]"
static u32 pack_conds(const u8 *c, u32 x) {
  u32 m = 0;
  for (int i = 0; i < 16; i++) m |= (u32)(c[i] & 1) << i;
  return m | x << 16;
}
#define COND(name, insn, con)                                                                          \
  static void t_cond_##name(u32 a, u32 b, u32 fin, u32 *o) {                                         \
    u32 fl, x = 0;                                                                                   \
    u8 c[16];                                                                                        \
    __asm__ volatile(SETF insn SETCCS GETF                                                            \
                     : [a] "+" con(a), [x] "+r"(x), [fl] "=&r"(fl) : [b] con(b), [p] "r"(c), "c"(b), [fin] "r"(fin) \
                     : "cc", "memory");                                                              \
    o[0] = a, o[1] = pack_conds(c, x), o[2] = fl;                                                    \
  }
COND(add8, "addb %b[b], %b[a]", "q") COND(add16, "addw %w[b], %w[a]", "r") COND(add32, "addl %[b], %[a]", "r")
COND(adc32, "adcl %[b], %[a]", "r") COND(sub8, "subb %b[b], %b[a]", "q") COND(sub16, "subw %w[b], %w[a]", "r")
COND(sbb32, "sbbl %[b], %[a]", "r") COND(cmp32, "cmpl %[b], %[a]", "r") COND(and16, "andw %w[b], %w[a]", "r")
COND(test8, "testb %b[b], %b[a]", "q") COND(inc8, "incb %b[a]", "q") COND(inc32, "incl %[a]", "r")
COND(dec16, "decw %w[a]", "r") COND(neg8, "negb %b[a]", "q") COND(shl32, "shll %%cl, %[a]", "r")
COND(sar16, "sarw %%cl, %w[a]", "r") COND(rcl8, "rclb %%cl, %b[a]", "q") COND(imul32, "imull %[b], %[a]", "r")
COND(bt32, "btl %[b], %[a]", "r") COND(bsf32, "bsfl %[b], %[a]", "r")

/* BT* on memory with a register offset, which reaches words before and after the addressed one
 * (SDM vol. 2 BT: the offset is signed, -32..63 here around the second of four words). */
#define BTM(op, w, sfx, mod)                                                                           \
  static void t_##op##m##w(u32 a, u32 b, u32 fin, u32 *o) {                                          \
    u32 fl, arr[4] = {a, ~a, a * 0x9e3779b1u, a ^ 0x5a5a5a5a};                                       \
    u32 off = (b % 96) - 32;                                                                         \
    __asm__ volatile(SETF #op sfx " %" mod "[off], %[m]" GETF                                         \
                     : [fl] "=&r"(fl) : [m] "m"(arr[1]), [off] "r"(off), [fin] "r"(fin) : "cc", "memory"); \
    o[0] = arr[0] ^ (arr[1] * 3) ^ (arr[2] * 5), o[1] = arr[3], o[2] = fl;                           \
  }
BTM(bt, 16, "w", "w") BTM(bt, 32, "l", "k") BTM(bts, 16, "w", "w") BTM(bts, 32, "l", "k")
BTM(btr, 16, "w", "w") BTM(btr, 32, "l", "k") BTM(btc, 16, "w", "w") BTM(btc, 32, "l", "k")

/* dst = OP dst */
#define UN(op)                                                                                         \
  static void t_##op##8(u32 a, u32 b, u32 fin, u32 *o) {                                             \
    u32 fl;                                                                                          \
    __asm__ volatile(SETF #op "b %b[a]" GETF : [a] "+q"(a), [fl] "=&r"(fl) : [fin] "r"(fin) : "cc"); \
    o[0] = a, o[2] = fl;                                                                             \
  }                                                                                                  \
  static void t_##op##16(u32 a, u32 b, u32 fin, u32 *o) {                                            \
    u32 fl;                                                                                          \
    __asm__ volatile(SETF #op "w %w[a]" GETF : [a] "+r"(a), [fl] "=&r"(fl) : [fin] "r"(fin) : "cc"); \
    o[0] = a, o[2] = fl;                                                                             \
  }                                                                                                  \
  static void t_##op##32(u32 a, u32 b, u32 fin, u32 *o) {                                            \
    u32 fl;                                                                                          \
    __asm__ volatile(SETF #op "l %[a]" GETF : [a] "+r"(a), [fl] "=&r"(fl) : [fin] "r"(fin) : "cc"); \
    o[0] = a, o[2] = fl;                                                                             \
  }
UN(inc) UN(dec) UN(neg) UN(not)

/* xadd: both registers */
#define XADD(w, sfx, mod, con)                                                                         \
  static void t_xaddx##w(u32 a, u32 b, u32 fin, u32 *o) {                                            \
    u32 fl;                                                                                          \
    __asm__ volatile(SETF "xadd" sfx " %" mod "[b], %" mod "[a]" GETF                                  \
                     : [a] "+" con(a), [b] "+" con(b), [fl] "=&r"(fl) : [fin] "r"(fin) : "cc");        \
    o[0] = a, o[1] = b, o[2] = fl;                                                                   \
  }
XADD(8, "b", "b", "q") XADD(16, "w", "w", "r") XADD(32, "l", "k", "r")

/* cmpxchg: accumulator = a's bytes rotated so that some cases are equal; dst = a, src = b */
#define CMPXCHG(w, sfx, mod)                                                                           \
  static void t_cmpxchg##w(u32 a, u32 b, u32 fin, u32 *o) {                                          \
    u32 fl, acc = (b & 4) ? a : b ^ 0x80;                                                            \
    __asm__ volatile(SETF "cmpxchg" sfx " %" mod "[b], %" mod "[a]" GETF                               \
                     : [a] "+r"(a), "+a"(acc), [fl] "=&r"(fl) : [b] "r"(b), [fin] "r"(fin) : "cc");    \
    o[0] = a, o[1] = acc, o[2] = fl;                                                                 \
  }
CMPXCHG(16, "w", "w") CMPXCHG(32, "l", "k")
static void t_cmpxchg8(u32 a, u32 b, u32 fin, u32 *o) {
  u32 fl, acc = (b & 4) ? a : b ^ 0x80;
  __asm__ volatile(SETF "cmpxchgb %b[b], %b[a]" GETF : [a] "+q"(a), "+a"(acc), [fl] "=&r"(fl) : [b] "q"(b), [fin] "r"(fin) : "cc");
  o[0] = a, o[1] = acc, o[2] = fl;
}

/* shifts and rotates by CL, and the by-1 opcode (D0/D1) */
#define SH(op)                                                                                         \
  static void t_##op##8(u32 a, u32 b, u32 fin, u32 *o) {                                             \
    u32 fl;                                                                                          \
    __asm__ volatile(SETF #op "b %%cl, %b[a]" GETF : [a] "+q"(a), [fl] "=&r"(fl) : "c"(b), [fin] "r"(fin) : "cc"); \
    o[0] = a, o[2] = fl;                                                                             \
  }                                                                                                  \
  static void t_##op##16(u32 a, u32 b, u32 fin, u32 *o) {                                            \
    u32 fl;                                                                                          \
    __asm__ volatile(SETF #op "w %%cl, %w[a]" GETF : [a] "+r"(a), [fl] "=&r"(fl) : "c"(b), [fin] "r"(fin) : "cc"); \
    o[0] = a, o[2] = fl;                                                                             \
  }                                                                                                  \
  static void t_##op##32(u32 a, u32 b, u32 fin, u32 *o) {                                            \
    u32 fl;                                                                                          \
    __asm__ volatile(SETF #op "l %%cl, %[a]" GETF : [a] "+r"(a), [fl] "=&r"(fl) : "c"(b), [fin] "r"(fin) : "cc"); \
    o[0] = a, o[2] = fl;                                                                             \
  }                                                                                                  \
  static void t_##op##1_8(u32 a, u32 b, u32 fin, u32 *o) {                                           \
    u32 fl;                                                                                          \
    __asm__ volatile(SETF ".byte 0xd0, 0xc0 + (" #op "_ext << 3)\n\t" GETF : "+a"(a), [fl] "=&r"(fl) : [fin] "r"(fin) : "cc"); \
    o[0] = a, o[2] = fl;                                                                             \
  }                                                                                                  \
  static void t_##op##1_32(u32 a, u32 b, u32 fin, u32 *o) {                                          \
    u32 fl;                                                                                          \
    __asm__ volatile(SETF ".byte 0xd1, 0xc0 + (" #op "_ext << 3)\n\t" GETF : "+a"(a), [fl] "=&r"(fl) : [fin] "r"(fin) : "cc"); \
    o[0] = a, o[2] = fl;                                                                             \
  }
__asm__(".set rol_ext, 0\n.set ror_ext, 1\n.set rcl_ext, 2\n.set rcr_ext, 3\n.set shl_ext, 4\n.set shr_ext, 5\n.set sar_ext, 7\n");
SH(rol) SH(ror) SH(rcl) SH(rcr) SH(shl) SH(shr) SH(sar)

/* shld/shrd: dst = a, src = a rotated, count = b */
#define SHD(op)                                                                                        \
  static void t_##op##16(u32 a, u32 b, u32 fin, u32 *o) {                                            \
    u32 fl, s = a * 0x9e3779b1u + 0x5bd1e995u;                                                       \
    __asm__ volatile(SETF #op "w %%cl, %w[s], %w[a]" GETF : [a] "+r"(a), [fl] "=&r"(fl) : [s] "r"(s), "c"(b), [fin] "r"(fin) : "cc"); \
    o[0] = a, o[2] = fl;                                                                             \
  }                                                                                                  \
  static void t_##op##32(u32 a, u32 b, u32 fin, u32 *o) {                                            \
    u32 fl, s = a * 0x9e3779b1u + 0x5bd1e995u;                                                       \
    __asm__ volatile(SETF #op "l %%cl, %[s], %[a]" GETF : [a] "+r"(a), [fl] "=&r"(fl) : [s] "r"(s), "c"(b), [fin] "r"(fin) : "cc"); \
    o[0] = a, o[2] = fl;                                                                             \
  }
SHD(shld) SHD(shrd)

/* one-operand MUL/IMUL/DIV/IDIV: accumulator (and EDX/DX/AH) with a, source b */
#define MD1(op)                                                                                        \
  static void t_##op##8(u32 a, u32 b, u32 fin, u32 *o) {                                             \
    u32 fl, d = 0;                                                                                   \
    __asm__ volatile(SETF #op "b %b[b]" GETF : "+a"(a), "+d"(d), [fl] "=&r"(fl) : [b] "q"(b), [fin] "r"(fin) : "cc"); \
    o[0] = a, o[1] = d, o[2] = fl;                                                                   \
  }                                                                                                  \
  static void t_##op##16(u32 a, u32 b, u32 fin, u32 *o) {                                            \
    u32 fl, d = a >> 16;                                                                             \
    __asm__ volatile(SETF #op "w %w[b]" GETF : "+a"(a), "+d"(d), [fl] "=&r"(fl) : [b] "r"(b), [fin] "r"(fin) : "cc"); \
    o[0] = a, o[1] = d, o[2] = fl;                                                                   \
  }                                                                                                  \
  static void t_##op##32(u32 a, u32 b, u32 fin, u32 *o) {                                            \
    u32 fl, d = 0;                                                                                   \
    __asm__ volatile(SETF #op "l %[b]" GETF : "+a"(a), "+d"(d), [fl] "=&r"(fl) : [b] "r"(b), [fin] "r"(fin) : "cc"); \
    o[0] = a, o[1] = d, o[2] = fl;                                                                   \
  }
MD1(mul) MD1(imul)

/* DIV/IDIV without #DE: the dividend's high half is reduced below the divisor (unsigned) or made the
 * sign extension of the low half (signed; skips MIN / -1 and b = 0). */
static int div_ok(u32 a, u32 b, unsigned w, int sgn) {
  u32 m = w == 32 ? 0xffffffffu : (1u << w) - 1;
  b &= m;
  if (b == 0) return 0;
  if (sgn) {
    u32 min = 1u << (w - 1);
    if ((a & m) == min && b == m) return 0;
  }
  return 1;
}
#define DIVT(op, sgn)                                                                                  \
  static void t_##op##8(u32 a, u32 b, u32 fin, u32 *o) {                                             \
    u32 fl = 0;                                                                                      \
    if (!div_ok(a, b, 8, sgn)) return;                                                               \
    a = (a & 0xff) | (sgn ? ((a & 0x80) ? 0xff00 : 0) : ((a >> 8) & 0xff) % (b & 0xff) << 8);        \
    __asm__ volatile(SETF #op "b %b[b]" GETF : "+a"(a), [fl] "=&r"(fl) : [b] "q"(b), [fin] "r"(fin) : "cc"); \
    o[0] = a, o[2] = fl;                                                                             \
  }                                                                                                  \
  static void t_##op##16(u32 a, u32 b, u32 fin, u32 *o) {                                            \
    u32 fl = 0, d;                                                                                   \
    if (!div_ok(a, b, 16, sgn)) return;                                                              \
    d = sgn ? ((a & 0x8000) ? 0xffff : 0) : (a >> 16) % (b & 0xffff);                                \
    __asm__ volatile(SETF #op "w %w[b]" GETF : "+a"(a), "+d"(d), [fl] "=&r"(fl) : [b] "r"(b), [fin] "r"(fin) : "cc"); \
    o[0] = a, o[1] = d, o[2] = fl;                                                                   \
  }                                                                                                  \
  static void t_##op##32(u32 a, u32 b, u32 fin, u32 *o) {                                            \
    u32 fl = 0, d;                                                                                   \
    if (!div_ok(a, b, 32, sgn)) return;                                                              \
    d = sgn ? ((a & 0x80000000u) ? 0xffffffffu : 0) : (a ^ 0x5a5a5a5a) % b;                         \
    __asm__ volatile(SETF #op "l %[b]" GETF : "+a"(a), "+d"(d), [fl] "=&r"(fl) : [b] "r"(b), [fin] "r"(fin) : "cc"); \
    o[0] = a, o[1] = d, o[2] = fl;                                                                   \
  }
DIVT(div, 0) DIVT(idiv, 1)

/* IMUL r, r/m and IMUL r, r/m, imm */
static void t_imul2_16(u32 a, u32 b, u32 fin, u32 *o) {
  u32 fl;
  __asm__ volatile(SETF "imulw %w[b], %w[a]" GETF : [a] "+r"(a), [fl] "=&r"(fl) : [b] "r"(b), [fin] "r"(fin) : "cc");
  o[0] = a, o[2] = fl;
}
static void t_imul2_32(u32 a, u32 b, u32 fin, u32 *o) {
  u32 fl;
  __asm__ volatile(SETF "imull %[b], %[a]" GETF : [a] "+r"(a), [fl] "=&r"(fl) : [b] "r"(b), [fin] "r"(fin) : "cc");
  o[0] = a, o[2] = fl;
}
static void t_imul3_16(u32 a, u32 b, u32 fin, u32 *o) {
  u32 fl, r = 0x5555, s = 0;
  __asm__ volatile(SETF "imulw $-3, %w[a], %w[r]\n\timulw $0x4321, %w[a], %w[s]" GETF
                   : [r] "+r"(r), [s] "+r"(s), [fl] "=&r"(fl) : [a] "r"(a), [fin] "r"(fin) : "cc");
  o[0] = r, o[1] = s, o[2] = fl;
}
static void t_imul3_32(u32 a, u32 b, u32 fin, u32 *o) {
  u32 fl, r = 0x55555555, s = 0;
  __asm__ volatile(SETF "imull $-3, %[a], %[r]\n\timull $0x12345, %[a], %[s]" GETF
                   : [r] "+r"(r), [s] "+r"(s), [fl] "=&r"(fl) : [a] "r"(a), [fin] "r"(fin) : "cc");
  o[0] = r, o[1] = s, o[2] = fl;
}
static void t_imul3b_32(u32 a, u32 b, u32 fin, u32 *o) {
  u32 fl, r = 0;
  __asm__ volatile(SETF "imull $0x7fffffff, %[a], %[r]" GETF : [r] "+r"(r), [fl] "=&r"(fl) : [a] "r"(a), [fin] "r"(fin) : "cc");
  o[0] = r, o[2] = fl;
}

/* BCD on AX */
#define BCD(op, ...)                                                                                   \
  static void t_##op(u32 a, u32 b, u32 fin, u32 *o) {                                                \
    u32 fl;                                                                                          \
    __asm__ volatile(SETF __VA_ARGS__ GETF : "+a"(a), [fl] "=&r"(fl) : [fin] "r"(fin) : "cc");       \
    o[0] = a, o[2] = fl;                                                                             \
  }
BCD(daa, ".byte 0x27") BCD(das, ".byte 0x2f") BCD(aaa, ".byte 0x37") BCD(aas, ".byte 0x3f")
BCD(aam10, ".byte 0xd4, 10") BCD(aam7, ".byte 0xd4, 7") BCD(aad10, ".byte 0xd5, 10") BCD(aad16, ".byte 0xd5, 16")

/* no flags: BSWAP, CBW/CWDE, CWD/CDQ, NOT (above) */
static void t_bswap(u32 a, u32 b, u32 fin, u32 *o) {
  u32 fl;
  __asm__ volatile(SETF "bswap %[a]" GETF : [a] "+r"(a), [fl] "=&r"(fl) : [fin] "r"(fin) : "cc");
  o[0] = a, o[2] = fl;
}
static void t_cbw(u32 a, u32 b, u32 fin, u32 *o) {
  u32 fl, c = a, d = a;
  __asm__ volatile(SETF "cbtw\n\txchg %%eax, %%ecx\n\tcwtl" GETF : "+a"(c), "+c"(d), [fl] "=&r"(fl) : [fin] "r"(fin) : "cc");
  o[0] = c, o[1] = d, o[2] = fl;
}
static void t_cwd(u32 a, u32 b, u32 fin, u32 *o) {
  u32 fl, d = 0x1234, e = 0x5678, x = a;
  __asm__ volatile(SETF "cwtd\n\tmov %%dx, %w[e]\n\tcltd" GETF : "+a"(x), "+d"(d), [e] "+r"(e), [fl] "=&r"(fl) : [fin] "r"(fin) : "cc");
  o[0] = d, o[1] = e, o[2] = fl;
}

#define W3(name, mask, am, shape) \
  run(#name "8", t_##name##8, mask, am, shape, 8), run(#name "16", t_##name##16, mask, am, shape, 16), \
      run(#name "32", t_##name##32, mask, am, shape, 32)
#define W2(name, mask, am, shape) \
  run(#name "16", t_##name##16, mask, am, shape, 16), run(#name "32", t_##name##32, mask, am, shape, 32)

int main(void) {
  crc_init();
  make_values();
  printf("i386 alu: %u values, %u flag inputs\n", nvalues, (unsigned)NFIN);
  W3(add, 0, ARITH, PAIRS);
  W3(adc, 0, ARITH, PAIRS);
  W3(sub, 0, ARITH, PAIRS);
  W3(sbb, 0, ARITH, PAIRS);
  W3(cmp, 0, ARITH, PAIRS);
  W3(and, m_logic, ARITH, PAIRS);
  W3(or, m_logic, ARITH, PAIRS);
  W3(xor, m_logic, ARITH, PAIRS);
  W3(test, m_logic, ARITH, PAIRS);
  W3(inc, 0, ARITH, SINGLE);
  W3(dec, 0, ARITH, SINGLE);
  W3(neg, 0, ARITH, SINGLE);
  W3(not, 0, ARITH, SINGLE);
  W3(xaddx, 0, ARITH, PAIRS);
  W3(cmpxchg, 0, ARITH, PAIRS);
  W3(shl, m_shift, ARITH, SHIFTS);
  W3(shr, m_shift, ARITH, SHIFTS);
  W3(sar, m_shift, ARITH, SHIFTS);
  W3(rol, m_rot, ARITH, SHIFTS);
  W3(ror, m_rot, ARITH, SHIFTS);
  W3(rcl, m_rot, ARITH, SHIFTS);
  W3(rcr, m_rot, ARITH, SHIFTS);
  run("shl1_8", t_shl1_8, m_shift, ARITH, SINGLE, 8), run("shl1_32", t_shl1_32, m_shift, ARITH, SINGLE, 32);
  run("shr1_8", t_shr1_8, m_shift, ARITH, SINGLE, 8), run("shr1_32", t_shr1_32, m_shift, ARITH, SINGLE, 32);
  run("sar1_8", t_sar1_8, m_shift, ARITH, SINGLE, 8), run("sar1_32", t_sar1_32, m_shift, ARITH, SINGLE, 32);
  run("rol1_8", t_rol1_8, m_rot, ARITH, SINGLE, 8), run("rol1_32", t_rol1_32, m_rot, ARITH, SINGLE, 32);
  run("ror1_8", t_ror1_8, m_rot, ARITH, SINGLE, 8), run("ror1_32", t_ror1_32, m_rot, ARITH, SINGLE, 32);
  run("rcl1_8", t_rcl1_8, m_rot, ARITH, SINGLE, 8), run("rcl1_32", t_rcl1_32, m_rot, ARITH, SINGLE, 32);
  run("rcr1_8", t_rcr1_8, m_rot, ARITH, SINGLE, 8), run("rcr1_32", t_rcr1_32, m_rot, ARITH, SINGLE, 32);
  W2(shld, m_shd, ARITH, SHIFTS);
  W2(shrd, m_shd, ARITH, SHIFTS);
  W3(mul, m_mul, ARITH, PAIRS);
  W3(imul, m_mul, ARITH, PAIRS);
  run("imul2_16", t_imul2_16, m_mul, ARITH, PAIRS, 16), run("imul2_32", t_imul2_32, m_mul, ARITH, PAIRS, 32);
  run("imul3_16", t_imul3_16, m_mul, ARITH, SINGLE, 16), run("imul3_32", t_imul3_32, m_mul, ARITH, SINGLE, 32);
  run("imul3b_32", t_imul3b_32, m_mul, ARITH, SINGLE, 32);
  W3(div, m_div, ARITH, PAIRS);
  W3(idiv, m_div, ARITH, PAIRS);
  W2(bt, m_bt, ARITH, PAIRS);
  W2(bts, m_bt, ARITH, PAIRS);
  W2(btr, m_bt, ARITH, PAIRS);
  W2(btc, m_bt, ARITH, PAIRS);
  W2(btm, m_bt, ARITH, PAIRS);
  W2(btsm, m_bt, ARITH, PAIRS);
  W2(btrm, m_bt, ARITH, PAIRS);
  W2(btcm, m_bt, ARITH, PAIRS);
  W2(bsf, m_bsf, ARITH, PAIRS);
  W2(bsr, m_bsf, ARITH, PAIRS);
  run("daa", t_daa, m_daa, ARITH, BYTES16, 8);
  run("das", t_das, m_daa, ARITH, BYTES16, 8);
  run("aaa", t_aaa, m_aaa, ARITH, BYTES16, 8);
  run("aas", t_aas, m_aaa, ARITH, BYTES16, 8);
  run("aam10", t_aam10, m_aam, ARITH, BYTES16, 8);
  run("aam7", t_aam7, m_aam, ARITH, BYTES16, 8);
  run("aad10", t_aad10, m_aam, ARITH, BYTES16, 8);
  run("aad16", t_aad16, m_aam, ARITH, BYTES16, 8);
  W3(addi, 0, ARITH, SINGLE);
  W3(adci, 0, ARITH, SINGLE);
  W3(subi, 0, ARITH, SINGLE);
  W3(sbbi, 0, ARITH, SINGLE);
  W3(cmpi, 0, ARITH, SINGLE);
  W3(andi, m_logic, ARITH, SINGLE);
  W3(ori, m_logic, ARITH, SINGLE);
  W3(xori, m_logic, ARITH, SINGLE);
  W3(testi, m_logic, ARITH, SINGLE);
  W3(addm, 0, ARITH, PAIRS);
  W3(adcm, 0, ARITH, PAIRS);
  W3(sbbm, 0, ARITH, PAIRS);
  W3(xorm, m_logic, ARITH, PAIRS);
  W3(xaddm, 0, ARITH, PAIRS);
  W3(cmpxchgm, 0, ARITH, PAIRS);
#define SHIW(name, mask) \
  run(#name "_8", t_##name##_8, mask, ARITH, SINGLE, 8), run(#name "_16", t_##name##_16, mask, ARITH, SINGLE, 16), \
      run(#name "_32", t_##name##_32, mask, ARITH, SINGLE, 32)
  SHIW(shli9, m_shift_imm);
  SHIW(shri7, m_shift_imm);
  SHIW(sari17, m_shift_imm);
  SHIW(roli9, m_rot_imm);
  SHIW(rori17, m_rot_imm);
  SHIW(rcli7, m_rot_imm);
  SHIW(rcri9, m_rot_imm);
  run("shldi_32", t_shldi_32, m_shd_imm, ARITH, SINGLE, 32);
  run("shrdi_16", t_shrdi_16, m_shd_imm, ARITH, SINGLE, 16);
  run("cond_add8", t_cond_add8, 0, ARITH, PAIRS, 8), run("cond_add16", t_cond_add16, 0, ARITH, PAIRS, 16);
  run("cond_add32", t_cond_add32, 0, ARITH, PAIRS, 32), run("cond_adc32", t_cond_adc32, 0, ARITH, PAIRS, 32);
  run("cond_sub8", t_cond_sub8, 0, ARITH, PAIRS, 8), run("cond_sub16", t_cond_sub16, 0, ARITH, PAIRS, 16);
  run("cond_sbb32", t_cond_sbb32, 0, ARITH, PAIRS, 32), run("cond_cmp32", t_cond_cmp32, 0, ARITH, PAIRS, 32);
  run("cond_and16", t_cond_and16, 0, ARITH, PAIRS, 16), run("cond_test8", t_cond_test8, 0, ARITH, PAIRS, 8);
  run("cond_inc8", t_cond_inc8, 0, ARITH, SINGLE, 8), run("cond_inc32", t_cond_inc32, 0, ARITH, SINGLE, 32);
  run("cond_dec16", t_cond_dec16, 0, ARITH, SINGLE, 16), run("cond_neg8", t_cond_neg8, 0, ARITH, SINGLE, 8);
  /* the conditions and ADC see undefined flags here: only the "all" line checks them */
  run("cond_shl32", t_cond_shl32, m_none, ARITH, SHIFTS, 32), run("cond_sar16", t_cond_sar16, m_none, ARITH, SHIFTS, 16);
  run("cond_rcl8", t_cond_rcl8, m_none, ARITH, SHIFTS, 8), run("cond_imul32", t_cond_imul32, m_none, ARITH, PAIRS, 32);
  run("cond_bt32", t_cond_bt32, m_none, ARITH, PAIRS, 32), run("cond_bsf32", t_cond_bsf32, m_none, ARITH, PAIRS, 32);
  run("bswap", t_bswap, 0, ARITH, SINGLE, 32);
  run("cbw", t_cbw, 0, ARITH, SINGLE, 32);
  run("cwd", t_cwd, 0, ARITH, SINGLE, 32);
  printf("done\n");
  return 0;
}
