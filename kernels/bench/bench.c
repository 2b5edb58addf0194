/* bench: compute-bound guest for `npm run bench`. A fixed mix of integer work over ~1 MiB of data:
 * table-driven CRC32, quicksort, a sieve of Eratosthenes, a matrix multiply, recursive calls and a
 * division-heavy hash. About 500 million instructions; prints one checksum per kernel and powers
 * off with exit 0. Deterministic: no timers, no interrupts. */
#include "rvos.h"

#ifndef ROUNDS
#define ROUNDS 16
#endif
/* The kernels each round runs, a bit each (crc32 1, quicksort 2, sieve 4, matmul 8, fib 16, divhash 32): all by
 * default; test/bench/rv32-phases.ts builds one per kernel to time them apart. */
#ifndef PHASES
#define PHASES 63
#endif

#define BUF_BYTES (256 * 1024)
#define SORT_N (64 * 1024)
#define SIEVE_N (512 * 1024)
#define MAT_N 64

static u8 buf[BUF_BYTES];
static u32 arr[SORT_N];
static u8 sieve_map[SIEVE_N];
static s32 ma[MAT_N][MAT_N], mb[MAT_N][MAT_N], mc[MAT_N][MAT_N];
static u32 crc_table[256];

static u32 rng_state;
static u32 rng(void) {
  /* xorshift32 */
  u32 x = rng_state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return rng_state = x;
}

static void crc_init(void) {
  for (u32 i = 0; i < 256; i++) {
    u32 c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    crc_table[i] = c;
  }
}

static u32 crc32(const u8 *p, u32 n) {
  u32 c = 0xffffffffu;
  for (u32 i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

static void quicksort(u32 *a, int lo, int hi) {
  while (lo < hi) {
    u32 pivot = a[lo + (hi - lo) / 2];
    int i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        u32 t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    /* Recurse into the smaller half, loop on the larger one. */
    if (j - lo < hi - i) {
      quicksort(a, lo, j);
      lo = i;
    } else {
      quicksort(a, i, hi);
      hi = j;
    }
  }
}

static u32 sieve(u32 n) {
  memset(sieve_map, 1, n);
  sieve_map[0] = sieve_map[1] = 0;
  for (u32 i = 2; i * i < n; i++)
    if (sieve_map[i])
      for (u32 j = i * i; j < n; j += i) sieve_map[j] = 0;
  u32 count = 0, sum = 0;
  for (u32 i = 0; i < n; i++)
    if (sieve_map[i]) {
      count++;
      sum += i;
    }
  return count ^ (sum << 1);
}

static u32 matmul(void) {
  for (int i = 0; i < MAT_N; i++)
    for (int j = 0; j < MAT_N; j++) {
      s32 s = 0;
      for (int k = 0; k < MAT_N; k++) s += ma[i][k] * mb[k][j];
      mc[i][j] = s;
    }
  u32 h = 0;
  for (int i = 0; i < MAT_N; i++)
    for (int j = 0; j < MAT_N; j++) h = h * 31 + (u32)mc[i][j];
  return h;
}

static __attribute__((noinline)) u32 fib(u32 n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static u32 divhash(u32 seed, u32 n) {
  u32 h = seed | 1;
  for (u32 i = 1; i <= n; i++) {
    u32 d = (h % 1000) + 1;
    h = h / d + h % d * 2654435761u + i;
    h ^= (u32)((s32)h / -7);
  }
  return h;
}

int main(void) {
  printf("bench: %u rounds of crc32/quicksort/sieve/matmul/fib/divhash\n", ROUNDS);
  crc_init();
  u32 c_crc = 0, c_sort = 0, c_sieve = 0, c_mat = 0, c_fib = 0, c_div = 0;
  for (u32 round = 0; round < ROUNDS; round++) {
    rng_state = 0x2545f491u + round * 0x9e3779b9u;
    if (PHASES & 1) {
      for (u32 i = 0; i < BUF_BYTES / 4; i++) ((u32 *)buf)[i] = rng();
      c_crc = c_crc * 3 + crc32(buf, BUF_BYTES);
    }

    if (PHASES & 2) {
      for (u32 i = 0; i < SORT_N; i++) arr[i] = rng();
      quicksort(arr, 0, SORT_N - 1);
      u32 ok = 1, h = 0;
      for (u32 i = 1; i < SORT_N; i++) {
        if (arr[i - 1] > arr[i]) ok = 0;
        h += arr[i] ^ i;
      }
      c_sort = c_sort * 3 + (h ^ ok);
    }

    if (PHASES & 4) c_sieve = c_sieve * 3 + sieve(SIEVE_N - round * 4096);

    if (PHASES & 8) {
      for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
          ma[i][j] = (s32)(rng() % 201) - 100;
          mb[i][j] = (s32)(rng() % 201) - 100;
        }
      c_mat = c_mat * 3 + matmul();
    }

    if (PHASES & 16) c_fib = c_fib * 3 + fib(20 + round % 4);
    if (PHASES & 32) c_div = c_div * 3 + divhash(rng(), 20000);
  }
  printf("crc32   0x%08x\n", c_crc);
  printf("sort    0x%08x\n", c_sort);
  printf("sieve   0x%08x\n", c_sieve);
  printf("matmul  0x%08x\n", c_mat);
  printf("fib     0x%08x\n", c_fib);
  printf("divhash 0x%08x\n", c_div);
  u32 total = c_crc ^ c_sort ^ c_sieve ^ c_mat ^ c_fib ^ c_div;
  printf("checksum 0x%08x\n", total);
  return 0;
}
