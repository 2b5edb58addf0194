/*
 * usertests: the kernel's edges, each checked and reported as one line. Programs that must die
 * run in a child; the kernel's "killed" message then precedes the check's line.
 */
#include "user.h"

static int failures;

static void check(int ok, const char *what) {
  printf("%s: %s\n", ok ? "ok" : "FAILED", what);
  if (!ok) failures++;
}

static unsigned free_pages(void) {
  struct meminfo mi;
  meminfo(&mi);
  return mi.free_pages;
}

static unsigned free_blocks(void) {
  struct meminfo mi;
  meminfo(&mi);
  return mi.free_blocks;
}

/* Runs fn in a child; returns its exit status. */
static int in_child(void (*fn)(void)) {
  int pid = fork();
  if (pid == 0) {
    fn();
    exit(0);
  }
  int status = 12345;
  wait(&status);
  return status;
}

static void null_load(void) { exit(*(volatile int *)0); }
extern char _start[];
static void text_store(void) { *(volatile char *)_start = 0; }
__attribute__((noinline)) static int recurse(int n) {
  if (n < 0) return 0;
  volatile char pad[512];
  pad[0] = (char)n;
  return recurse(n + 1) + pad[0];
}
static void stack_overflow(void) { exit(recurse(0)); }
static void read_into_text(void) {
  int fds[2];
  pipe(fds);
  write(fds[1], "x", 1);
  read(fds[0], (void *)0x10000, 1); /* the text segment is read-only */
}
static void wild_jump(void) { ((void (*)(void))0x80400000)(); }
static void bad_syscall(void) { syscall6(999, 0, 0, 0, 0, 0, 0); }

int main(void) {
  char buf[64];
  int fds[2];

  /* What stays allocated once used (the kernel's heap page for pipes, malloc's first sbrk)
   * comes first; then memory and disk are measured, to compare at the end. */
  pipe(fds);
  close(fds[0]);
  close(fds[1]);
  char *m = malloc(1000), *n = malloc(3000);
  check(m && n && m != n, "malloc");
  free(m);
  free(n);
  unsigned pages0 = free_pages(), blocks0 = free_blocks();

  check(read(99, buf, 1) == -1 && write(-1, buf, 1) == -1 && close(42) == -1, "bad file descriptors return -1");
  check(open("/no/such/file", O_RDONLY) == -1, "open of a missing file returns -1");
  char *argv[] = {"nothing", 0};
  check(exec("/bin/nothing", argv) == -1, "exec of a missing program returns -1");
  check(exec("/README", argv) == -1, "exec of a text file returns -1");
  int fd = open("/bin", O_WRONLY);
  check(fd == -1, "a directory cannot be opened for writing");

  /* sbrk grows and shrinks the heap. */
  char *a = sbrk(0);
  char *b = sbrk(64 * 1024);
  memset(b, 7, 64 * 1024);
  check(a == b && sbrk(0) == b + 64 * 1024 && b[65535] == 7, "sbrk grows the heap");
  sbrk(-64 * 1024);
  check(sbrk(0) == a, "sbrk shrinks the heap");
  check(sbrk(0x7fffffff) == (void *)-1, "sbrk refuses an absurd size");

  /* Pipes. */
  pipe(fds);
  close(fds[0]);
  check(write(fds[1], "x", 1) == -1, "write to a pipe without readers returns -1");
  close(fds[1]);
  pipe(fds);
  close(fds[1]);
  check(read(fds[0], buf, sizeof buf) == 0, "read from a pipe without writers returns 0");
  close(fds[0]);
  pipe(fds);
  int pid = fork();
  if (pid == 0) {
    static char big[5000];
    memset(big, 'z', sizeof big);
    close(fds[0]);
    write(fds[1], big, sizeof big); /* larger than the pipe: the writer blocks until read */
    exit(0);
  }
  close(fds[1]);
  int total = 0, k;
  while ((k = read(fds[0], buf, sizeof buf)) > 0) total += k;
  close(fds[0]);
  wait(0);
  check(total == 5000, "5000 bytes through a 512-byte pipe");

  /* Processes. */
  int forks = 0;
  for (;;) {
    pid = fork();
    if (pid < 0) break;
    if (pid == 0) {
      sleep(20);
      exit(7);
    }
    forks++;
  }
  int reaped = 0, status, all7 = 1;
  while (wait(&status) > 0) reaped++, all7 &= status == 7;
  check(forks > 20 && reaped == forks && all7, "fork until the process table is full, then reap every child");
  check(wait(&status) == -1, "wait without children returns -1");
  check(getppid() > 0, "getppid");
  pid = fork();
  if (pid == 0) {
    for (;;) sleep(1000);
  }
  yield();
  check(kill(pid) == 0 && wait(&status) == pid && status == -1, "kill() ends a sleeping child");
  check(kill(pid) == -1 && kill(1) == -1, "kill() of a reaped process or of init fails");

  /* Faults kill only the faulting process. */
  check(in_child(null_load) == -1, "a load from address 0 is killed");
  check(in_child(text_store) == -1, "a store to read-only text is killed");
  check(in_child(stack_overflow) == -1, "a stack overflow is killed");
  check(in_child(read_into_text) == -1, "read() into read-only memory is killed");
  check(in_child(wild_jump) == -1, "a jump into the kernel is killed");
  check(in_child(bad_syscall) == -1, "an unknown system call is killed");

  /* Files: one bigger than the direct blocks (12 KiB), read back, removed. */
  fd = open("/big", O_CREATE | O_RDWR);
  static unsigned data[10000];
  for (unsigned i = 0; i < 10000; i++) data[i] = i * 2654435761u;
  check(fd >= 0 && write(fd, data, sizeof data) == sizeof data, "write a 40000-byte file");
  close(fd);
  memset(data, 0, sizeof data);
  fd = open("/big", O_RDONLY);
  struct stat st;
  fstat(fd, &st);
  int r = read(fd, data, sizeof data), good = 1;
  for (unsigned i = 0; i < 10000; i++) good &= data[i] == i * 2654435761u;
  close(fd);
  check(st.size == sizeof data && r == sizeof data && good, "read it back (indirect blocks)");
  check(unlink("/big") == 0 && open("/big", O_RDONLY) == -1, "unlink it");
  check(mkdir("/tmpdir") == 0 && mkdir("/tmpdir") == -1 && chdir("/tmpdir") == 0, "mkdir, chdir");
  fd = open("rel", O_CREATE | O_WRONLY);
  write(fd, "relative\n", 9);
  close(fd);
  chdir("/");
  fd = open("/tmpdir/rel", O_RDONLY);
  r = read(fd, buf, sizeof buf);
  close(fd);
  check(r == 9 && memcmp(buf, "relative\n", 9) == 0, "relative paths follow the working directory");
  check(unlink("/tmpdir") == -1, "a directory that is not empty stays");
  check(unlink("/tmpdir/rel") == 0 && unlink("/tmpdir") == 0, "remove the file, then the directory");
  fd = open("/t", O_CREATE | O_WRONLY);
  write(fd, "abc", 3);
  close(fd);
  fd = open("/t", O_WRONLY | O_APPEND);
  write(fd, "def", 3);
  close(fd);
  fd = open("/t", O_RDONLY);
  r = read(fd, buf, sizeof buf);
  close(fd);
  check(r == 6 && memcmp(buf, "abcdef", 6) == 0, "O_APPEND");
  fd = open("/t", O_WRONLY | O_TRUNC);
  close(fd);
  fd = open("/t", O_RDONLY);
  check(read(fd, buf, sizeof buf) == 0, "O_TRUNC");
  close(fd);
  unlink("/t");

  /* The largest file: 268 KiB; one byte more fails. */
  fd = open("/huge", O_CREATE | O_WRONLY);
  static char chunk[4096];
  int written = 0;
  for (int i = 0; i < 67; i++) written += write(fd, chunk, sizeof chunk);
  int more = write(fd, chunk, 1);
  close(fd);
  check(written == 268 * 1024 && more <= 0, "a file grows to 268 KiB and no further");
  check(unlink("/huge") == 0, "unlink the 268 KiB file");

  /* Files until the inode table is full, then remove them all. */
  mkdir("/many");
  int files = 0;
  for (;; files++) {
    char name[32];
    snprintf(name, sizeof name, "/many/f%d", files);
    fd = open(name, O_CREATE | O_WRONLY);
    if (fd < 0) break;
    close(fd);
  }
  int removed = 0;
  for (int i = 0; i < files; i++) {
    char name[32];
    snprintf(name, sizeof name, "/many/f%d", i);
    removed += unlink(name) == 0;
  }
  check(files > 200 && removed == files && unlink("/many") == 0, "create files until the inodes run out, remove them");

  unsigned pages1 = free_pages();
  check(pages1 == pages0, "no memory pages leaked");
  if (pages1 != pages0) printf("  %u free pages before, %u after\n", pages0, pages1);
  check(free_blocks() == blocks0, "no disk blocks leaked");
  printf("usertests: %s\n", failures ? "FAILED" : "all passed");
  return failures != 0;
}
