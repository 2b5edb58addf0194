/*
 * Flattened device tree: what the firmware needs (harts, first RAM bank) and one fix-up, a
 * /reserved-memory child for the firmware's own region (as OpenSBI adds), inserted in place.
 */
#include "fw.h"

#define FDT_MAGIC 0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9

struct fdt_header {
  u32 magic, totalsize, off_dt_struct, off_dt_strings, off_mem_rsvmap, version, last_comp_version,
      boot_cpuid_phys, size_dt_strings, size_dt_struct;
};

static u32 be32(const void *p) {
  const u8 *b = p;
  return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}

static void put_be32(void *p, u32 v) {
  u8 *b = p;
  b[0] = v >> 24;
  b[1] = v >> 16;
  b[2] = v >> 8;
  b[3] = v;
}

static u32 slen(const char *s) {
  u32 n = 0;
  while (s[n]) n++;
  return n;
}

static int streq(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}

/* "name" or "name@unit" */
static int node_is(const char *node, const char *name) {
  while (*name && *node == *name) node++, name++;
  return !*name && (!*node || *node == '@');
}

#define HDR(f, field) be32((const u8 *)(f) + __builtin_offsetof(struct fdt_header, field))

int fdt_valid(const void *fdt) {
  if (!fdt || ((u32)fdt & 3) || be32(fdt) != FDT_MAGIC) return 0;
  u32 total = HDR(fdt, totalsize);
  u32 st = HDR(fdt, off_dt_struct), ss = HDR(fdt, size_dt_struct);
  u32 so = HDR(fdt, off_dt_strings), sz = HDR(fdt, size_dt_strings);
  return HDR(fdt, version) >= 17 && total < 0x100000 && st + ss <= total && so + sz <= total && (st & 3) == 0;
}

static u32 cells(const u8 *v, u32 n) {
  /* n cells as a 32-bit value (high cells must be zero, else saturate). */
  u32 x = 0;
  for (u32 i = 0; i < n; i++) {
    if (i + 1 < n && be32(v + 4 * i)) return 0xffffffffu;
    x = be32(v + 4 * i);
  }
  return x;
}

/* A walk over the structure block with the path depth and node names up to depth 3. */
struct walk {
  const u8 *fdt, *p, *strings;
  int depth;
  const char *name[4];
  /* current token */
  u32 tok, off; /* offset of the token from the start of the blob */
  const char *pname;
  const u8 *pval;
  u32 plen;
};

static void walk_init(struct walk *w, const void *fdt) {
  w->fdt = fdt;
  w->p = (const u8 *)fdt + HDR(fdt, off_dt_struct);
  w->strings = (const u8 *)fdt + HDR(fdt, off_dt_strings);
  w->depth = 0;
}

/* Next token: FDT_BEGIN_NODE (depth incremented), FDT_END_NODE (depth is the closed node's),
 * FDT_PROP, or FDT_END. */
static u32 walk_next(struct walk *w) {
  const u8 *end = w->fdt + HDR(w->fdt, off_dt_struct) + HDR(w->fdt, size_dt_struct);
  if (w->tok == FDT_END_NODE) w->depth--;
  for (;;) {
    if (w->p + 4 > end) return w->tok = FDT_END;
    w->off = w->p - w->fdt;
    u32 t = be32(w->p);
    w->p += 4;
    switch (t) {
    case FDT_BEGIN_NODE: {
      const char *n = (const char *)w->p;
      w->p += (slen(n) + 1 + 3) & ~3u;
      w->depth++;
      if (w->depth < 4) w->name[w->depth] = n;
      return w->tok = t;
    }
    case FDT_END_NODE:
      return w->tok = t;
    case FDT_PROP:
      w->plen = be32(w->p);
      w->pname = (const char *)w->strings + be32(w->p + 4);
      w->pval = w->p + 8;
      w->p += 8 + ((w->plen + 3) & ~3u);
      return w->tok = t;
    case FDT_NOP:
      continue;
    default:
      return w->tok = FDT_END;
    }
  }
}

void fdt_scan(const void *fdt, struct fdt_info *out) {
  struct walk w = {0};
  u32 ac = 2, sc = 1; /* root defaults (devicetree spec) */
  int in_mem = 0, in_cpu = 0, cpu_ok = 0, cpu_disabled = 0;
  u32 cpu_reg = 0;
  out->hart_mask = 0;
  out->have_memory = 0;
  walk_init(&w, fdt);
  for (u32 t; (t = walk_next(&w)) != FDT_END;) {
    if (t == FDT_BEGIN_NODE) {
      if (w.depth == 2) in_mem = node_is(w.name[2], "memory");
      if (w.depth == 3) {
        in_cpu = node_is(w.name[2], "cpus") && node_is(w.name[3], "cpu");
        cpu_ok = cpu_disabled = 0;
        cpu_reg = ~0u;
      }
    } else if (t == FDT_PROP) {
      if (w.depth == 1 && streq(w.pname, "#address-cells") && w.plen == 4) ac = be32(w.pval);
      else if (w.depth == 1 && streq(w.pname, "#size-cells") && w.plen == 4) sc = be32(w.pval);
      else if (in_mem && w.depth == 2 && streq(w.pname, "reg") && !out->have_memory && w.plen >= 4 * (ac + sc) && ac && sc) {
        out->ram_base = cells(w.pval, ac);
        out->ram_size = cells(w.pval + 4 * ac, sc);
        out->have_memory = out->ram_base != 0xffffffffu;
      } else if (in_cpu && w.depth == 3) {
        if (streq(w.pname, "device_type") && streq((const char *)w.pval, "cpu")) cpu_ok = 1;
        else if (streq(w.pname, "status") && !streq((const char *)w.pval, "okay") && !streq((const char *)w.pval, "ok")) cpu_disabled = 1;
        else if (streq(w.pname, "reg") && w.plen == 4) cpu_reg = be32(w.pval);
      }
    } else if (t == FDT_END_NODE) {
      if (w.depth == 3 && in_cpu && cpu_ok && !cpu_disabled && cpu_reg < MAX_HARTS) out->hart_mask |= 1u << cpu_reg;
      if (w.depth == 3) in_cpu = 0;
      if (w.depth == 2) in_mem = 0;
    }
  }
}

/* Offset of `s` in the strings block (any NUL-terminated suffix matches), or -1. */
static int find_string(const u8 *strings, u32 size, const char *s) {
  u32 n = slen(s);
  for (u32 i = 0; i + n < size; i++) {
    u32 k = 0;
    while (k < n && strings[i + k] == (u8)s[k]) k++;
    if (k == n && strings[i + n] == 0) return (int)i;
  }
  return -1;
}

struct builder {
  u8 buf[256];
  u32 len;
  char newstr[64];
  u32 newlen;
  const u8 *strings;
  u32 strsize;
};

static void b_word(struct builder *b, u32 v) {
  put_be32(b->buf + b->len, v);
  b->len += 4;
}

static void b_node(struct builder *b, const char *name) {
  b_word(b, FDT_BEGIN_NODE);
  u32 n = slen(name) + 1;
  for (u32 i = 0; i < ((n + 3) & ~3u); i++) b->buf[b->len + i] = i < n ? (u8)name[i] : 0;
  b->len += (n + 3) & ~3u;
}

static u32 b_string(struct builder *b, const char *s) {
  int off = find_string(b->strings, b->strsize, s);
  if (off >= 0) return (u32)off;
  int own = find_string((const u8 *)b->newstr, b->newlen, s);
  if (own >= 0) return b->strsize + (u32)own;
  u32 at = b->newlen;
  for (u32 i = 0; i <= slen(s); i++) b->newstr[b->newlen++] = s[i];
  return b->strsize + at;
}

static void b_prop(struct builder *b, const char *name, const u32 *cellv, u32 ncells) {
  b_word(b, FDT_PROP);
  b_word(b, 4 * ncells);
  b_word(b, b_string(b, name));
  for (u32 i = 0; i < ncells; i++) b_word(b, cellv[i]);
}

static void hex8(char *p, u32 v) {
  for (int i = 7; i >= 0; i--) {
    p[i] = "0123456789abcdef"[v & 15];
    v >>= 4;
  }
}

int fdt_reserve_firmware(void *fdt, u32 base, u32 size, u32 limit) {
  u8 *f = fdt;
  struct walk w = {0};
  u32 ac = 2, sc = 1, rac = 0, rsc = 0;
  u32 root_end = 0, resv_end = 0;
  int in_resv = 0;
  char child[] = "mmode_resv0@00000000";
  hex8(child + 12, base);

  u32 st = HDR(f, off_dt_struct), so = HDR(f, off_dt_strings);
  if (so < st + HDR(f, size_dt_struct) || HDR(f, off_mem_rsvmap) > st) return -1; /* unusual layout */

  walk_init(&w, fdt);
  for (u32 t; (t = walk_next(&w)) != FDT_END;) {
    if (t == FDT_BEGIN_NODE) {
      if (w.depth == 2) in_resv = node_is(w.name[2], "reserved-memory");
      if (w.depth == 3 && in_resv && streq(w.name[3], child)) return 0; /* already there */
    } else if (t == FDT_PROP && w.plen == 4) {
      if (w.depth == 1 && streq(w.pname, "#address-cells")) ac = be32(w.pval);
      if (w.depth == 1 && streq(w.pname, "#size-cells")) sc = be32(w.pval);
      if (w.depth == 2 && in_resv && streq(w.pname, "#address-cells")) rac = be32(w.pval);
      if (w.depth == 2 && in_resv && streq(w.pname, "#size-cells")) rsc = be32(w.pval);
    } else if (t == FDT_END_NODE) {
      if (w.depth == 2 && in_resv) {
        resv_end = w.off;
        in_resv = 0;
      }
      if (w.depth == 1) root_end = w.off;
    }
  }
  if (!root_end) return -1;

  struct builder b = {.strings = f + so, .strsize = HDR(f, size_dt_strings)};
  u32 at;
  u32 nac, nsc;
  if (resv_end) {
    at = resv_end;
    nac = rac ? rac : ac;
    nsc = rsc ? rsc : sc;
  } else {
    at = root_end;
    nac = ac;
    nsc = sc;
    b_node(&b, "reserved-memory");
    b_prop(&b, "#address-cells", &nac, 1);
    b_prop(&b, "#size-cells", &nsc, 1);
    b_prop(&b, "ranges", 0, 0);
  }
  if (nac < 1 || nac > 2 || nsc < 1 || nsc > 2) return -1;
  u32 reg[4], n = 0;
  if (nac == 2) reg[n++] = 0;
  reg[n++] = base;
  if (nsc == 2) reg[n++] = 0;
  reg[n++] = size;
  b_node(&b, child);
  b_prop(&b, "reg", reg, n);
  b_prop(&b, "no-map", 0, 0);
  b_word(&b, FDT_END_NODE);
  if (!resv_end) b_word(&b, FDT_END_NODE);

  u32 total = HDR(f, totalsize);
  u32 strings_end = so + HDR(f, size_dt_strings);
  u32 new_total = total + b.len + b.newlen;
  if ((u32)f + new_total > limit || (u32)f + new_total < (u32)f) return -1;

  /* Shift [at, strings_end) up by b.len, insert the nodes, append the new strings. */
  for (u32 i = strings_end; i > at; i--) f[i - 1 + b.len] = f[i - 1];
  for (u32 i = 0; i < b.len; i++) f[at + i] = b.buf[i];
  for (u32 i = 0; i < b.newlen; i++) f[strings_end + b.len + i] = (u8)b.newstr[i];
  struct fdt_header *h = fdt;
  put_be32(&h->totalsize, new_total);
  put_be32(&h->off_dt_strings, so + b.len);
  put_be32(&h->size_dt_struct, HDR(f, size_dt_struct) + b.len);
  put_be32(&h->size_dt_strings, HDR(f, size_dt_strings) + b.newlen);
  return 0;
}
