/* Loads a user program into a new address space: the ELF64 file /bin/NAME from the SD card, or
 * the copy built into the kernel (programs.S) when there is no card or no such file. Each PT_LOAD
 * segment is copied to fresh pages, mapped read-only + executable (R-X), read-write +
 * execute-never (RW-) or read-only (R--) for EL0; always privileged-execute-never. */
#include "proc.h"
#include "mmu.h"

struct program {
  const char *name, *start, *end;
};
extern const struct program program_table[];

#define PT_LOAD 1
#define PF_X 1
#define PF_W 2
#define EM_AARCH64 183

/* Byte-wise reads: the embedded ELF is only 16-byte aligned and the kernel is -mstrict-align. */
static uint64_t rd(const char *p, unsigned n) {
  uint64_t v = 0;
  while (n--) v = v << 8 | (uint8_t)p[n];
  return v;
}

static int streq(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}

/* Code written through the data side must reach the point of unification before it is fetched:
 * clean each line (DC CVAU), then invalidate the instruction cache (Arm ARM D7.5.9). A no-op on
 * QEMU, which has no caches to model; needed on a Pi. Lines of 64 bytes (Cortex-A53). */
static void sync_icache(const char *page) {
  for (uint64_t line = 0; line < PAGE_SIZE; line += 64) __asm__ volatile("dc cvau, %0" ::"r"(page + line) : "memory");
  __asm__ volatile("dsb ish; ic iallu; dsb ish; isb" ::: "memory");
}

static int load_segment(uint64_t *l1, const char *elf, const char *ph) {
  uint64_t off = rd(ph + 8, 8), va = rd(ph + 16, 8), filesz = rd(ph + 32, 8), memsz = rd(ph + 40, 8);
  unsigned flags = (unsigned)rd(ph + 4, 4);
  if (va % PAGE_SIZE || va < USER_BASE || va + memsz > USER_STACK_TOP - 4 * PAGE_SIZE) return 0;
  uint64_t attrs = ATTR_NORMAL | SH_INNER | DESC_PXN;
  attrs |= (flags & PF_W) ? AP_RW | DESC_UXN : AP_RO;
  if (!(flags & PF_X)) attrs |= DESC_UXN;
  for (uint64_t done = 0; done < memsz; done += PAGE_SIZE) {
    char *page = page_alloc();
    if (!page || !uvm_map_page(l1, va + done, page, attrs)) return 0;
    for (uint64_t i = 0; i < PAGE_SIZE && done + i < filesz; i++) page[i] = elf[off + done + i];
    if (flags & PF_X) sync_icache(page);
  }
  return 1;
}

#define ELF_MAX (64 * 1024)
static char file_buf[ELF_MAX] __attribute__((aligned(16)));

static const char *find_program(const char *name) {
  if (fs_mounted()) {
    char path[40] = "/bin/";
    unsigned n = 5;
    for (unsigned i = 0; name[i] && n < sizeof path - 1; i++) path[n++] = name[i];
    path[n] = 0;
    if (fs_read_all(path, file_buf, ELF_MAX) >= 64) return file_buf;
  }
  const struct program *p = program_table;
  while (p->name && !streq(p->name, name)) p++;
  return p->name ? p->start : 0;
}

uint64_t *exec_load(const char *name, uint64_t *entry) {
  const char *elf = find_program(name);
  if (!elf) return 0;
  if (rd(elf, 4) != 0x464c457f || elf[4] != 2 || rd(elf + 18, 2) != EM_AARCH64) return 0;
  uint64_t *l1 = uvm_create();
  if (!l1) return 0;
  uint64_t phoff = rd(elf + 32, 8);
  unsigned phentsize = (unsigned)rd(elf + 54, 2), phnum = (unsigned)rd(elf + 56, 2);
  for (unsigned i = 0; i < phnum; i++) {
    const char *ph = elf + phoff + i * phentsize;
    if (rd(ph, 4) == PT_LOAD && !load_segment(l1, elf, ph)) {
      uvm_free(l1);
      return 0;
    }
  }
  *entry = rd(elf + 24, 8);
  return l1;
}
