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
  vga_write("\n", 1, 0x07);
  vga_keep_above(row + 1);
  vga_console = 1; /* from here on the console is on the screen too, scrolling under the motd */
}

/* Checkpoint 2: a breakpoint (a trap: execution continues after it) and an invalid opcode
 * (a fault: the handler skips the ud2), each with a register dump. */
static void trap_test_run(void) {
  __asm__ volatile("int3" ::"a"(0xaaaa0000), "b"(0xbbbb0001), "c"(0xcccc0002), "d"(0xdddd0003), "S"(0x5555000a), "D"(0xd1d1000b));
  trap_test = 1;
  __asm__ volatile("ud2");
  printf("exceptions: both handled, execution continues\n");
}

/* Checkpoint 3: map a user page in a fresh page directory, use it, unmap it. */
static void paging_test(void) {
  paging_init();
  unsigned before = frames_free();
  printf("[3] paging on: 0-32 MiB identity mapped, supervisor only; page frames at 16-32 MiB: %u free\n", before);
  uint32_t *pd = pgdir_new();
  uint32_t pa = frame_alloc();
  page_map(pd, USER_BASE, pa, PTE_U | PTE_W);
  load_cr3(pd);
  *(volatile uint32_t *)USER_BASE = 0x12345678;
  printf("  mapped 0x%08x: wrote 0x%08x through it, the frame holds 0x%08x\n", USER_BASE, 0x12345678u, *(uint32_t *)pa);
  load_cr3(kernel_pgdir);
  uint32_t back = page_unmap(pd, USER_BASE);
  printf("  unmapped: %s, present now: %u\n", back == pa ? "same frame back" : "wrong frame", page_lookup(pd, USER_BASE) & PTE_P);
  frame_free(back);
  pgdir_free(pd);
  printf("  page frames free again: %u\n", frames_free());
}

static void heap_test(void) {
  unsigned used, free_bytes, free0;
  heap_stats(&used, &free0);
  char *a = malloc(100), *b = malloc(200);
  strncpy(a, "kernel heap", 100);
  char *a2 = realloc(a, 40);  /* shrinks in place */
  char *a3 = realloc(a2, 1000); /* b is in the way: moves */
  heap_stats(&used, &free_bytes);
  printf("  kernel heap: malloc/realloc: shrink in place %s, grow moved %s, contents \"%s\", %u blocks in use\n",
         a2 == a ? "yes" : "no", a3 != a2 ? "yes" : "no", a3, used);
  free(b);
  free(a3);
  heap_stats(&used, &free_bytes);
  printf("  after free: %u blocks in use, all %s bytes free again\n", used, free_bytes == free0 ? "the" : "NOT the");
}

/* Runs a program module to its end: "name" with the words of line as argv (default: the name). */
static void run(const char *name, const char *line) {
  static char buf[80];
  char *argv[8];
  int argc = 0;
  strncpy(buf, line ? line : name, sizeof buf - 1);
  for (char *p = buf; *p && argc < 8;) {
    while (*p == ' ') *p++ = 0;
    if (*p) argv[argc++] = p;
    while (*p && *p != ' ') p++;
  }
  const struct module *m = module_find(name);
  int pid = m ? proc_spawn((const void *)m->start, m->end - m->start, name, argc, argv) : -1;
  if (pid < 0) {
    printf("%s: cannot run\n", name);
    return;
  }
  printf("%s: exit code %d\n", name, proc_wait(pid));
}

void kmain(uint32_t magic, uint32_t info) {
  serial_init();
  printf("\nrvos pc reference kernel\n");
  int mb = multiboot_parse(magic, info);
  if (!mb) panic("not started by a multiboot loader");
  for (unsigned i = 0; i < module_count; i++)
    if (modules[i].end > POOL_START) panic("a module overlaps the page-frame pool");
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

  paging_test();
  heap_test();

  proc_init();
  printf("[4] system calls (int 0x80), ring 3 programs from the modules, each in its own page directory\n");
  unsigned before = frames_free();
  run("hello", 0);
  run("echo", "echo one two three");
  run("badptr", 0);
  run("badinsn", 0);
  run("badstore", 0);
  printf("page frames: %u free before the programs, %u after\n", before, frames_free());

  printf("[5] cooperative multitasking: ping and pong yield to each other\n");
  {
    char *a[] = {"ping", "3", "ping"}, *b[] = {"ping", "3", "pong"};
    const struct module *m = module_find("ping");
    int p1 = m ? proc_spawn((const void *)m->start, m->end - m->start, "ping", 3, a) : -1;
    int p2 = m ? proc_spawn((const void *)m->start, m->end - m->start, "pong", 3, b) : -1;
    int c1 = proc_wait(p1), c2 = proc_wait(p2);
    printf("ping exited with %d, pong with %d\n", c1, c2);
  }

  printf("[5] the PIC: COM1 receive on IRQ 4, the keyboard on IRQ 1, the PIT at %u Hz on IRQ 0 preempts ring 3\n", TICK_HZ);
  pit_init();
  serial_enable_irq();
  kbd_init();
  preemption = 1;
  __asm__ volatile("sti");
  run("sleep", "sleep 50");
  {
    char *a[] = {"spin", "30"};
    const struct module *m = module_find("spin");
    int p1 = m ? proc_spawn((const void *)m->start, m->end - m->start, "spin", 2, a) : -1;
    int p2 = m ? proc_spawn((const void *)m->start, m->end - m->start, "spin", 2, a) : -1;
    int c1 = proc_wait(p1), c2 = proc_wait(p2);
    printf("two spin 30 without a system call but ticks(): each preempted at least 3 times: %s\n",
           c1 >= 3 && c2 >= 3 ? "yes" : "no");
  }

  int sectors = ide_init();
  if (sectors) printf("[6] ide: primary master, %u sectors of 512 bytes\n", (unsigned)sectors);
  else printf("[6] ide: no disk on the primary master\n");
  if (sectors) fs_mount();
  printf("ready: the shell (help lists the commands)\n");
  shell();
}
