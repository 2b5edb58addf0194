/* The kernel's shell on the PL011: reads a line (echoed, DEL/BS erase), runs a built-in command.
 * Output is the same whatever the input timing, so a transcript compares byte for byte. */
#include "rpi.h"

#define LINE_MAX 80
#define ARGS_MAX 8

extern char _start[];

static void read_line(char *line, unsigned size) {
  unsigned n = 0;
  for (;;) {
    int c = uart_getc();
    if (c == '\n') {
      uart_putc('\n');
      line[n] = 0;
      return;
    }
    if (c == 0x7f || c == '\b') {
      if (n) n--, printf("\b \b");
    } else if (n + 1 < size && c >= ' ') {
      line[n++] = (char)c;
      uart_putc((char)c);
    }
  }
}

static int split(char *line, char **argv) {
  int argc = 0;
  for (char *p = line; *p && argc < ARGS_MAX;) {
    while (*p == ' ') *p++ = 0;
    if (!*p) break;
    argv[argc++] = p;
    while (*p && *p != ' ') p++;
  }
  return argc;
}

static int streq(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}

static unsigned parse_uint(const char *s) {
  unsigned v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (unsigned)(*s++ - '0');
  return v;
}

static void cmd_help(void) {
  printf("commands:\n"
         "  help             this list\n"
         "  echo TEXT...     prints its arguments\n"
         "  uptime           ticks of the %u Hz timer since it started, and seconds\n"
         "  sleep MS         waits MS milliseconds (WFI until the timer ticks)\n"
         "  crash            a fatal exception (PC alignment fault), exit code 1\n"
         "  shutdown, q      power off (semihosting exit 0)\n",
         TICK_HZ);
}

static void cmd_uptime(void) {
  uint64_t t = ticks;
  printf("uptime: %lu ticks, %lu.%02lu s\n", t, t / TICK_HZ, (t % TICK_HZ) * 100 / TICK_HZ);
}

static void cmd_sleep(int argc, char **argv) {
  if (argc < 2) {
    printf("usage: sleep MS\n");
    return;
  }
  unsigned ms = parse_uint(argv[1]);
  uint64_t before = ticks;
  wait_ticks((ms * TICK_HZ + 999) / 1000);
  /* The count depends on timing; only the check is printed. */
  printf("sleep: %u ms, at least %u ticks passed: %s\n", ms, (ms * TICK_HZ + 999) / 1000,
         ticks - before >= (ms * TICK_HZ + 999) / 1000 ? "yes" : "no");
}

/* A branch to a misaligned address: a PC alignment fault (EC 0x22, FAR_EL1 = ELR_EL1 = the
 * address), which the handler treats as fatal. Shows the fatal path and exit code 1. */
static void crash(void) {
  __asm__ volatile("br %0" ::"r"((uintptr_t)_start + 2));
}

void shell(void) {
  char line[LINE_MAX];
  char *argv[ARGS_MAX];
  printf("ready: type help for the commands; shutdown or q powers off\n");
  for (;;) {
    printf("$ ");
    read_line(line, sizeof line);
    int argc = split(line, argv);
    if (!argc) continue;
    const char *cmd = argv[0];
    if (streq(cmd, "help")) cmd_help();
    else if (streq(cmd, "echo")) {
      for (int i = 1; i < argc; i++) printf(i > 1 ? " %s" : "%s", argv[i]);
      printf("\n");
    } else if (streq(cmd, "uptime")) cmd_uptime();
    else if (streq(cmd, "sleep")) cmd_sleep(argc, argv);
    else if (streq(cmd, "crash")) crash();
    else if (streq(cmd, "shutdown") || streq(cmd, "q")) return;
    else printf("%s: unknown command (help lists them)\n", cmd);
  }
}
