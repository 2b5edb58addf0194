/* The pc reference kernel, the checkpoints of a classic kernel-development course in order:
 * multiboot boot, serial console, modules, VGA text; GDT/IDT/TSS; paging and the heap; system
 * calls and ring 3 programs; cooperative then preemptive multitasking; the IDE disk and a shell. */
#include "pc.h"

extern char _end[];

void debug_exit(uint8_t v) {
  outb(0xf4, v);
  for (;;) __asm__ volatile("cli; hlt"); /* without isa-debug-exit: stop here */
}

void panic(const char *why) {
  printf("kernel panic: %s\n", why);
  debug_exit(1);
}

/* Checkpoint 1: the text module on the VGA screen (a coloured title line) and on serial. */
static void show_motd(void) {
  const struct module *m = module_find("motd.txt");
  if (!m) {
    printf("motd: no motd.txt module\n");
    return;
  }
  const char *text = (const char *)m->start;
  unsigned n = m->end - m->start, first = 0;
  while (first < n && text[first] != '\n') first++;
  vga_clear(0x07);
  vga_write(text, first, 0x1e); /* yellow on blue */
  vga_write(text + first, n - first, 0x0a); /* light green on black */
  unsigned row, col;
  vga_cursor(&row, &col);
  printf("motd.txt on the VGA screen (cursor at row %u, column %u):\n", row, col);
  for (unsigned i = 0; i < n; i++) uart_putc(text[i]);
}

/* Checkpoint 2: a breakpoint (a trap: execution continues after it) and an invalid opcode
 * (a fault: the handler skips the ud2), each with a register dump. */
static void trap_test_run(void) {
  __asm__ volatile("int3" ::"a"(0xaaaa0000), "b"(0xbbbb0001), "c"(0xcccc0002), "d"(0xdddd0003), "S"(0x5555000a), "D"(0xd1d1000b));
  trap_test = 1;
  __asm__ volatile("ud2");
  printf("exceptions: both handled, execution continues\n");
}

void kmain(uint32_t magic, uint32_t info) {
  serial_init();
  printf("\nrvos pc reference kernel\n");
  int mb = multiboot_parse(magic, info);
  if (!mb) panic("not started by a multiboot loader");
  printf("[1] multiboot: %u module(s)\n", module_count);
  for (unsigned i = 0; i < module_count; i++) {
    printf("  module %s", modules[i].name);
    for (unsigned n = strlen(modules[i].name); n < 12; n++) uart_putc(' ');
    printf("%6u bytes\n", modules[i].end - modules[i].start);
  }
  show_motd();

  gdt_init();
  idt_init();
  printf("[2] GDT (kernel/user code and data, TSS), IDT (exceptions, IRQs at 0x20-0x2f, int 0x80 DPL 3)\n");
  trap_test_run();

  printf("power off\n");
  debug_exit(0);
}
