/* The kernel's shell on COM1 (interrupt-driven input): built-in commands on the IDE disk's rvfs
 * (raspi3b's fs.c, fs_write.c and path.c) and programs, run from /bin on the disk or from the
 * multiboot modules, each waited for unless the line ends in &. The commands and their output
 * follow the raspi3b kernel's; nothing printed depends on timing. */
#include "pc.h"

#define LINE_MAX 80
#define ARGS_MAX 8
#define PROGRAM_MAX (64u << 10)

static char cwd[PATH_MAX] = "/";
const char *shell_cwd(void) { return cwd; }

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

static unsigned parse_uint(const char *s) {
  unsigned v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (unsigned)(*s++ - '0');
  return v;
}

static void cmd_help(void) {
  printf("built-in commands:\n"
         "  help             this list\n"
         "  ls [PATH]        lists a folder of the IDE disk (rvfs)\n"
         "  cd [DIR]         changes the working folder\n"
         "  write FILE TEXT  (re)writes a file with TEXT and a newline\n"
         "  mkdir DIR...     makes folders\n"
         "  rm PATH...       removes files and empty folders\n"
         "  modules          the multiboot modules\n"
         "  uptime           ticks of the %u Hz PIT since it started, and seconds\n"
         "  ps               the process table\n"
         "  kill PID         ends a process\n"
         "  mem              free page frames, kernel heap, free disk blocks\n"
         "  preempt          two CPU-bound programs share the CPU under PIT preemption\n"
         "  crash            a fatal exception in the kernel (page fault at 0): register dump, exit code 3\n"
         "  shutdown, q      power off (isa-debug-exit)\n"
         "programs (ring 3, each in its own address space; /bin on the disk, else the modules; & runs one in the background):\n"
         "  hello            hello, world\n"
         "  echo TEXT...     prints its arguments\n"
         "  args ARG...      prints its arguments, one a line\n"
         "  cat FILE...      prints files of the disk\n"
         "  wc FILE...       lines, words and bytes\n"
         "  grep TEXT FILE...  the lines containing TEXT\n"
         "  ping N WORD      prints WORD N times, yielding after each line\n"
         "  sleep MS         sleeps MS milliseconds\n"
         "  spin TICKS       a CPU-bound loop for TICKS ticks\n"
         "  loop             a CPU-bound loop for ever\n"
         "  badptr badinsn badstore\n"
         "                   misbehaving programs: the kernel kills them and carries on\n",
         TICK_HZ);
}

static int resolve(const char *arg, char *out) { return path_resolve(cwd, arg, out, PATH_MAX); }

static void cmd_cd(int argc, char **argv) {
  char path[PATH_MAX];
  if (!resolve(argc > 1 ? argv[1] : "/", path) || !fs_mounted() || !fs_is_dir(path)) {
    printf("cd: %s: no such folder\n", argc > 1 ? argv[1] : "/");
    return;
  }
  strncpy(cwd, path, PATH_MAX);
}

/* write FILE TEXT...: the words joined by spaces, and a newline (as raspi3b's and the virt OS's). */
static void cmd_write(int argc, char **argv) {
  static char text[LINE_MAX + 1];
  unsigned n = 0;
  if (argc < 2) {
    printf("usage: write FILE TEXT...\n");
    return;
  }
  for (int i = 2; i < argc; i++) {
    if (i > 2) text[n++] = ' ';
    for (const char *p = argv[i]; *p; p++) text[n++] = *p;
  }
  text[n++] = '\n';
  char path[PATH_MAX];
  int w = fs_mounted() && resolve(argv[1], path) ? fs_write_file(path, text, n) : -1;
  if (w < 0) printf("write: %s: failed\n", argv[1]);
  else printf("wrote %d bytes to %s\n", w, argv[1]);
}

static void cmd_modules(void) {
  for (unsigned i = 0; i < module_count; i++) printf("  %s (%u bytes)\n", modules[i].name, modules[i].end - modules[i].start);
}

static void cmd_mem(void) {
  unsigned used, free_bytes;
  heap_stats(&used, &free_bytes);
  printf("memory: %u of %u page frames free; kernel heap: %u blocks in use, %u bytes free\n", frames_free(),
         (KERNEL_MAP - POOL_START) / PAGE, used, free_bytes);
  if (fs_mounted()) printf("disk: %u free blocks of 1 KiB\n", fs_free_blocks());
}

/* Starts argv[0] from /bin on the disk, else from the modules; its pid or -1. */
static int start(int argc, char **argv) {
  char path[PATH_MAX] = "/bin/";
  unsigned n = 5;
  for (const char *p = argv[0]; *p && n < PATH_MAX - 1; p++) path[n++] = *p;
  path[n] = 0;
  int pid = -1;
  char *buf = fs_mounted() ? malloc(PROGRAM_MAX) : 0;
  int size = buf ? fs_read_all(path, buf, PROGRAM_MAX) : -1;
  if (size > 0) {
    pid = proc_spawn(buf, (uint32_t)size, argv[0], argc, argv);
  } else {
    const struct module *m = module_find(argv[0]);
    if (m && strcmp(argv[0], "motd.txt")) pid = proc_spawn((const void *)m->start, m->end - m->start, argv[0], argc, argv);
  }
  free(buf);
  return pid;
}

/* Two `spin 30`; each exits with how often the PIT took the CPU from it. */
static void cmd_preempt(void) {
  char *argv[] = {"spin", "30"};
  int a = start(2, argv), b = start(2, argv);
  int ca = proc_wait(a), cb = proc_wait(b);
  printf("preempt: two spin 30 (pids %d and %d), each preempted at least 3 times: %s\n", a, b,
         ca >= 3 && cb >= 3 ? "yes" : "no");
}

void shell(void) {
  static char line[LINE_MAX];
  char *argv[ARGS_MAX];
  for (;;) {
    proc_reap();
    printf("$ ");
    read_line(line, sizeof line);
    int argc = split(line, argv);
    if (!argc) continue;
    int background = argc > 1 && !strcmp(argv[argc - 1], "&");
    if (background) argc--;
    const char *cmd = argv[0];
    char path[PATH_MAX];
    if (!strcmp(cmd, "help")) cmd_help();
    else if (!strcmp(cmd, "ls")) {
      if (!fs_mounted() || !resolve(argc > 1 ? argv[1] : ".", path)) printf("ls: no file system\n");
      else fs_ls(path);
    }
    else if (!strcmp(cmd, "cd")) cmd_cd(argc, argv);
    else if (!strcmp(cmd, "write")) cmd_write(argc, argv);
    else if (!strcmp(cmd, "mkdir") || !strcmp(cmd, "rm")) {
      for (int i = 1; i < argc; i++)
        if (!fs_mounted() || !resolve(argv[i], path) || (cmd[0] == 'm' ? fs_mkdir(path) : fs_remove(path)) < 0)
          printf("%s: %s: failed\n", cmd, argv[i]);
    } else if (!strcmp(cmd, "modules")) cmd_modules();
    else if (!strcmp(cmd, "uptime")) {
      unsigned t = (unsigned)ticks;
      printf("uptime: %u ticks, %u.%02u s\n", t, t / TICK_HZ, t % TICK_HZ * 100 / TICK_HZ);
    } else if (!strcmp(cmd, "ps")) proc_ps();
    else if (!strcmp(cmd, "kill")) {
      if (argc < 2 || proc_kill((int)parse_uint(argv[1])) < 0) printf("kill: no such process\n");
    } else if (!strcmp(cmd, "mem")) cmd_mem();
    else if (!strcmp(cmd, "preempt")) cmd_preempt();
    else if (!strcmp(cmd, "crash")) *(volatile uint32_t *)0 = 0xdead; /* page 0 is not mapped */
    else if (!strcmp(cmd, "shutdown") || !strcmp(cmd, "q")) {
      printf("power off\n");
      debug_exit(0);
    } else {
      int pid = start(argc, argv);
      if (pid < 0) printf("%s: command not found\n", cmd);
      else if (background) printf("[%d] %s\n", pid, cmd);
      else {
        int code = proc_wait(pid);
        if (code) printf("%s: exit code %d\n", cmd, code);
      }
    }
  }
}
