/*
 * Flattened device tree (DTB v17) parser: the kernel learns the machine from the tree the firmware
 * hands over in a1, as Linux does: RAM from /memory minus /reserved-memory (and the FDT memory
 * reservation block), timebase-frequency and harts from /cpus, the UART, the PLIC (and the boot
 * hart's S-mode context from its interrupts-extended) and the virtio-mmio slots.
 */
#include "kernel.h"

#define FDT_MAGIC 0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9

struct machine machine;

static const char *strings;
static u32 boot_hart;

#define MAX_INTC 16
static struct { u32 phandle, hartid; } intc[MAX_INTC];
static int nintc;
static const u8 *plic_iext;
static u32 plic_iext_len;

struct node {
  const char *name;
  const u32 *props;
  const struct node *parent;
  u32 ac, sc;             /* cells of this node's reg (from the parent) */
  u32 child_ac, child_sc; /* cells of the children's reg */
  int depth;
};

static inline u32 be32(const void *p) {
  const u8 *b = p;
  return ((u32)b[0] << 24) | ((u32)b[1] << 16) | ((u32)b[2] << 8) | b[3];
}

static const void *getprop(const struct node *n, const char *name, u32 *len) {
  const u32 *p = n->props;
  for (;;) {
    u32 tok = be32(p);
    if (tok == FDT_NOP) {
      p++;
      continue;
    }
    if (tok != FDT_PROP) return 0;
    u32 plen = be32(p + 1), nameoff = be32(p + 2);
    if (strcmp(strings + nameoff, name) == 0) {
      if (len) *len = plen;
      return p + 3;
    }
    p += 3 + (plen + 3) / 4;
  }
}

static int prop_u32(const struct node *n, const char *name, u32 *v) {
  u32 len;
  const void *p = getprop(n, name, &len);
  if (!p || len < 4) return 0;
  *v = be32(p);
  return 1;
}

/* Reads a number of `cells` cells (keeping the low 32 bits: physical addresses here fit). */
static u32 read_cells(const u8 **p, u32 cells) {
  u32 v = 0;
  for (u32 i = 0; i < cells; i++, *p += 4) v = be32(*p);
  return v;
}

/* The idx-th (address, size) pair of the node's reg. */
static int reg(const struct node *n, int idx, u32 *base, u32 *size) {
  u32 len;
  const u8 *p = getprop(n, "reg", &len);
  u32 entry = 4 * (n->ac + n->sc);
  if (!p || entry == 0 || (idx + 1) * entry > len) return 0;
  p += idx * entry;
  *base = read_cells(&p, n->ac);
  *size = read_cells(&p, n->sc);
  return 1;
}

static int compatible(const struct node *n, const char *what) {
  u32 len;
  const char *p = getprop(n, "compatible", &len);
  if (!p) return 0;
  for (u32 i = 0; i < len; i += strlen(p + i) + 1)
    if (strcmp(p + i, what) == 0) return 1;
  return 0;
}

static int name_is(const char *name, const char *base) {
  size_t n = strlen(base);
  return strncmp(name, base, n) == 0 && (name[n] == 0 || name[n] == '@');
}

static void add_resv(u32 base, u32 size, int nomap) {
  if (size == 0 || machine.nresv >= MAX_REGIONS) return;
  machine.resv[machine.nresv++] = (struct region){base, size, nomap};
}

static void visit(const struct node *n) {
  struct machine *m = &machine;
  u32 base, size, v, len;
  const char *s;

  if (n->depth == 0) {
    if ((s = getprop(n, "model", &len))) safestrcpy(m->model, s, sizeof m->model);
    return;
  }
  if (n->depth == 1 && name_is(n->name, "chosen")) {
    if ((s = getprop(n, "bootargs", &len))) safestrcpy(m->bootargs, s, sizeof m->bootargs);
    return;
  }
  s = getprop(n, "device_type", &len);
  if (n->depth == 1 && s && strcmp(s, "memory") == 0) {
    if (m->ram_size == 0 && reg(n, 0, &base, &size)) {
      m->ram_base = base;
      m->ram_size = size;
    }
    return;
  }
  if (n->depth == 1 && name_is(n->name, "cpus")) {
    prop_u32(n, "timebase-frequency", &m->timebase);
    return;
  }
  if (n->depth == 2 && name_is(n->parent->name, "cpus") && s && strcmp(s, "cpu") == 0) {
    const char *status = getprop(n, "status", &len);
    u32 hart;
    if ((!status || strcmp(status, "disabled") != 0) && prop_u32(n, "reg", &hart)) {
      if (m->nharts < (int)(sizeof m->hartids / sizeof m->hartids[0])) m->hartids[m->nharts] = hart;
      m->nharts++;
    }
    if (m->timebase == 0) prop_u32(n, "timebase-frequency", &m->timebase);
    return;
  }
  if (n->depth == 3 && name_is(n->name, "interrupt-controller") && name_is(n->parent->name, "cpu")) {
    u32 hart, ph;
    if (reg(n->parent, 0, &hart, &size) || prop_u32(n->parent, "reg", &hart)) {
      if (prop_u32(n, "phandle", &ph) && nintc < MAX_INTC) intc[nintc++] = (typeof(intc[0])){ph, hart};
    }
    return;
  }
  if (n->depth == 2 && name_is(n->parent->name, "reserved-memory")) {
    for (int i = 0; reg(n, i, &base, &size); i++) add_resv(base, size, getprop(n, "no-map", 0) != 0);
    return;
  }
  if (compatible(n, "virtio,mmio")) {
    if (m->nvirtio < MAX_VIRTIO && reg(n, 0, &base, &size)) {
      m->virtio_base[m->nvirtio] = base;
      m->virtio_irq[m->nvirtio] = prop_u32(n, "interrupts", &v) ? v : 0;
      m->nvirtio++;
    }
    return;
  }
  if (compatible(n, "ns16550a") || compatible(n, "ns16550")) {
    if (m->uart_base == 0 && reg(n, 0, &base, &size)) {
      m->uart_base = base;
      m->uart_irq = prop_u32(n, "interrupts", &v) ? v : 0;
    }
    return;
  }
  if (compatible(n, "riscv,plic0") || compatible(n, "sifive,plic-1.0.0")) {
    if (m->plic_base == 0 && reg(n, 0, &base, &size)) {
      m->plic_base = base;
      m->plic_size = size;
      if (!prop_u32(n, "riscv,ndev", &m->plic_ndev)) m->plic_ndev = 31;
      plic_iext = getprop(n, "interrupts-extended", &plic_iext_len);
    }
    return;
  }
}

static const u32 *walk_node(const u32 *p, const struct node *parent, int depth) {
  struct node n = {.parent = parent, .depth = depth};
  n.name = (const char *)p;
  p += (strlen(n.name) + 4) / 4;
  n.props = p;
  n.ac = parent ? parent->child_ac : 2;
  n.sc = parent ? parent->child_sc : 1;
  n.child_ac = 2;
  n.child_sc = 1;
  prop_u32(&n, "#address-cells", &n.child_ac);
  prop_u32(&n, "#size-cells", &n.child_sc);
  visit(&n);
  for (;;) {
    u32 tok = be32(p);
    if (tok == FDT_PROP) p += 3 + (be32(p + 1) + 3) / 4;
    else if (tok == FDT_NOP) p++;
    else if (tok == FDT_BEGIN_NODE) p = walk_node(p + 1, &n, depth + 1);
    else if (tok == FDT_END_NODE) return p + 1;
    else panic("fdt: bad token %u in node %s", tok, n.name);
  }
}

int fdt_parse(const void *dtb, u32 hartid, struct machine *m) {
  const u8 *h = dtb;
  if (be32(h) != FDT_MAGIC) return -1;
  if (be32(h + 24) < 16) return -1; /* last_comp_version */
  boot_hart = hartid;
  m->dtb_base = (u32)dtb;
  m->dtb_size = be32(h + 4);
  m->plic_context = -1;
  strings = (const char *)h + be32(h + 12);
  /* Memory reservation block: (u64 address, u64 size) pairs up to a zero pair. */
  for (const u8 *r = h + be32(h + 16);; r += 16) {
    u32 base = be32(r + 4), size = be32(r + 12);
    if (base == 0 && size == 0 && be32(r) == 0 && be32(r + 8) == 0) break;
    add_resv(base, size, 0);
  }
  const u32 *p = (const u32 *)(h + be32(h + 8));
  while (be32(p) == FDT_NOP) p++;
  if (be32(p) != FDT_BEGIN_NODE) return -1;
  walk_node(p + 1, 0, 0);
  /* The PLIC's interrupts-extended lists its contexts in order as (hart intc phandle, irq)
   * pairs; irq 9 is the supervisor external interrupt. */
  for (u32 i = 0; plic_iext && (i + 1) * 8 <= plic_iext_len; i++) {
    u32 ph = be32(plic_iext + 8 * i), irq = be32(plic_iext + 8 * i + 4);
    for (int j = 0; j < nintc; j++)
      if (intc[j].phandle == ph && intc[j].hartid == hartid && irq == IRQ_S_EXT) m->plic_context = i;
    if (m->plic_context >= 0) break;
  }
  return 0;
}
