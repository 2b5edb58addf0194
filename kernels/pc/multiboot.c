/* The boot information of Multiboot 1 (EAX 0x2badb002: flags bit 3, mods_count/mods_addr) and
 * Multiboot 2 (EAX 0x36d76289: tags, type 3 = module). Only the modules are kept, copied before
 * the memory they sit in is reused; nothing that differs between loaders is printed. */
#include "pc.h"

struct module modules[MODS_MAX];
unsigned module_count;

static void add(uint32_t start, uint32_t end, const char *cmdline) {
  if (module_count == MODS_MAX) return;
  struct module *m = &modules[module_count++];
  m->start = start;
  m->end = end;
  const char *word = cmdline;
  for (const char *p = cmdline; *p; p++)
    if (*p == ' ' && p[1] && p[1] != ' ') word = p + 1;
  unsigned i = 0;
  for (; word[i] && word[i] != ' ' && i < sizeof m->name - 1; i++) m->name[i] = word[i];
  m->name[i] = 0;
}

int multiboot_parse(uint32_t magic, uint32_t info) {
  if (magic == 0x2badb002) {
    const uint32_t *mbi = (const uint32_t *)info;
    if (mbi[0] & (1u << 3)) {
      const uint32_t *mod = (const uint32_t *)mbi[6];
      for (uint32_t i = 0; i < mbi[5]; i++, mod += 4) add(mod[0], mod[1], mod[2] ? (const char *)mod[2] : "");
    }
    return 1;
  }
  if (magic == 0x36d76289) {
    uint32_t total = *(const uint32_t *)info;
    for (uint32_t at = 8; at + 8 <= total;) {
      const uint32_t *tag = (const uint32_t *)(info + at);
      if (tag[0] == 0) break;
      if (tag[0] == 3) add(tag[2], tag[3], (const char *)&tag[4]);
      at += (tag[1] + 7) & ~7u;
    }
    return 2;
  }
  return 0;
}

const struct module *module_find(const char *name) {
  for (unsigned i = 0; i < module_count; i++)
    if (!strcmp(modules[i].name, name)) return &modules[i];
  return 0;
}
