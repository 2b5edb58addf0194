/* The kernel's shell on the PL011: reads a line (echoed, DEL/BS erase), runs a built-in command
 * or starts a user program (proc.c) and waits for it unless the line ends in &.
 * Output is the same whatever the input timing, so a transcript compares byte for byte. */
#include "proc.h"
#include "mmu.h"

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
  printf("built-in commands:\n"
         "  help             this list\n"
         "  ls [PATH]        lists a folder of the SD card (rvfs)\n"
         "  cd [DIR]         changes the working folder (of the shell and what it starts)\n"
         "  write FILE TEXT  (re)writes a file with TEXT and a newline\n"
         "  mkdir DIR...     makes folders\n"
         "  rm PATH...       removes files and empty folders\n"
         "  uptime           ticks of the %u Hz timer since it started, and seconds\n"
         "  ps               the process table\n"
         "  kill PID         ends a process\n"
         "  mem              free memory pages and disk blocks\n"
         "  preempt          two CPU-bound processes share the CPU under timer preemption\n"
         "  crash            a fatal exception in the kernel (PC alignment fault), exit code 1\n"
         "  shutdown, q      power off (semihosting exit 0, else the PM watchdog)\n"
         "  reboot           reset through the PM watchdog\n"
         "programs (EL0, each in its own address space; & runs one in the background, | connects them):\n"
         "  hello            hello, world\n"
         "  echo TEXT...     prints its arguments\n"
         "  args ARG...      prints its arguments (only on the SD card, as the next three)\n"
         "  cat [FILE...]    prints files (or its input)\n"
         "  wc [FILE...]     lines, words and bytes\n"
         "  grep TEXT [FILE...]  the lines containing TEXT\n"
         "  sleep MS         sleeps MS milliseconds\n"
         "  spin MS          a CPU-bound loop for MS milliseconds\n"
         "  loop             a CPU-bound loop for ever\n"
         "  badptr badinsn badstore\n"
         "                   misbehaving programs: the kernel kills them and carries on\n"
         "  usertests        the kernel's edge cases, one line per check (only on the SD card)\n",
         TICK_HZ);
}

static void cmd_uptime(void) {
  uint64_t t = ticks;
  printf("uptime: %lu ticks, %lu.%02lu s\n", t, t / TICK_HZ, (t % TICK_HZ) * 100 / TICK_HZ);
}

/* The working folder is the shell's procs[0].cwd (processes inherit it). */
static int resolve(const char *arg, char *out) { return path_resolve(procs[0].cwd, arg, out, PATH_MAX); }

static void cmd_cd(int argc, char **argv) {
  char path[PATH_MAX];
  if (!resolve(argc > 1 ? argv[1] : "/", path) || !fs_mounted() || !fs_is_dir(path)) {
    printf("cd: %s: no such folder\n", argc > 1 ? argv[1] : "/");
    return;
  }
  for (unsigned i = 0; i < PATH_MAX; i++) procs[0].cwd[i] = path[i];
}

/* write FILE TEXT...: the words joined by spaces, and a newline (as the virt OS's write). */
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

/* Two `spin` processes; each reports (its exit code) how often the timer preempted it. */
static void cmd_preempt(void) {
  char *argv[] = {"spin", "300", 0};
  int a = proc_spawn("spin", 2, argv, 0), b = proc_spawn("spin", 2, argv, 0);
  if (a < 0 || b < 0) {
    printf("preempt: cannot start the processes\n");
    return;
  }
  printf("preempt: pids %d and %d each spin 300 ms without a system call\n", a, b);
  int pa = proc_wait(a), pb = proc_wait(b);
  printf("preempt: both were preempted several times: %s\n", pa >= 3 && pb >= 3 ? "yes" : "no");
}

/* a | b | c: the programs connected by pipes, started together, waited for in order. */
static void run_pipeline(int argc, char **argv) {
  int pids[ARGS_MAX], n = 0, in = -1, ok = 1;
  uint64_t saved = proc_lock(); /* none runs before every end of every pipe is open */
  for (int start = 0; start < argc && ok;) {
    int end = start;
    while (end < argc && !streq(argv[end], "|")) end++;
    int out = end < argc ? pipe_alloc() : -1;
    argv[end < argc ? end : argc] = 0;
    int pid = end > start && (end == argc || out >= 0) ? proc_spawn_piped(argv[start], end - start, argv + start, in, out) : -3;
    if (pid < 0) {
      printf(pid == -1 ? "%s: unknown command (help lists them)\n" : "%s: cannot start it\n", end > start ? argv[start] : "|");
      ok = 0;
    } else {
      pids[n++] = pid;
    }
    if (out >= 0 && pid < 0) pipe_open_end(out, 1), pipe_close_end(out, 1); /* frees it */
    in = out;
    start = end + 1;
  }
  proc_unlock(saved);
  for (int i = 0; i < n; i++) proc_wait(pids[i]);
}

static void run_program(int argc, char **argv) {
  for (int i = 0; i < argc; i++)
    if (streq(argv[i], "|")) return run_pipeline(argc, argv);
  int background = streq(argv[argc - 1], "&");
  if (background) argv[--argc] = 0;
  int pid = proc_spawn(argv[0], argc, argv, background);
  if (pid == -1) printf("%s: unknown command (help lists them)\n", argv[0]);
  else if (pid < 0) printf("%s: no free process slot\n", argv[0]);
  else if (background) printf("[%d] %s\n", pid, argv[0]);
  else proc_wait(pid);
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
    else if (streq(cmd, "uptime")) cmd_uptime();
    else if (streq(cmd, "ls")) {
      char path[PATH_MAX];
      if (!fs_mounted() || !resolve(argc > 1 ? argv[1] : ".", path)) printf("ls: no file system\n");
      else fs_ls(path);
    } else if (streq(cmd, "cd")) cmd_cd(argc, argv);
    else if (streq(cmd, "write")) cmd_write(argc, argv);
    else if (streq(cmd, "mkdir") || streq(cmd, "rm")) {
      for (int i = 1; i < argc; i++) {
        char path[PATH_MAX];
        if (!fs_mounted() || !resolve(argv[i], path) || (cmd[0] == 'm' ? fs_mkdir(path) : fs_remove(path)) < 0)
          printf("%s: %s: failed\n", cmd, argv[i]);
      }
    } else if (streq(cmd, "ps")) proc_list();
    else if (streq(cmd, "kill")) {
      if (argc < 2 || proc_kill((int)parse_uint(argv[1])) < 0) printf("kill: no such process\n");
    } else if (streq(cmd, "mem")) {
      printf("mem: %u free pages of 4 KiB\n", pages_free());
      if (fs_mounted()) printf("disk: %u free blocks of 1 KiB\n", fs_free_blocks());
    }
    else if (streq(cmd, "preempt")) cmd_preempt();
    else if (streq(cmd, "crash")) crash();
    else if (streq(cmd, "shutdown") || streq(cmd, "q")) return;
    else if (streq(cmd, "reboot")) {
      printf("reboot: through the PM watchdog\n");
      pm_reboot();
    }
    else run_program(argc, argv);
  }
}
