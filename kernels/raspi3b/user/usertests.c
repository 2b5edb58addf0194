/* usertests: the kernel's edge cases, one line per check. Each fault runs in a child (fault KIND)
 * that the kernel must kill (exit code -1) while usertests carries on. */
#include "user.h"

static int failures;

static void check(int ok, const char *what) {
  printf("%s: %s\n", ok ? "ok" : "FAILED", what);
  if (!ok) failures++;
}

static int run(const char *name, const char *arg) {
  char *argv[] = {(char *)name, (char *)arg, 0};
  int pid = spawn(name, argv);
  return pid < 0 ? -100 : wait(pid);
}

int main(void) {
  check(getpid() > 1, "getpid");
  check(run("hello", 0) == 0, "spawn and wait for a child");
  check(run("args", "x") == 2, "the child's exit code reaches wait");
  check(spawn("nothere", (char *[]){"nothere", 0}) == -1, "spawn of a missing program returns -1");
  check(spawn((const char *)0xffffff8000080000UL, (char *[]){0}) == -1, "spawn with a kernel address returns -1");
  check(wait(1) == -1, "wait for a process that is not a child returns -1");
  check(write(1, "", 0) == 0 && write(3, "x", 1) == -1, "write of 0 bytes, to a bad descriptor");
  yield();
  check(1, "yield returns");
  static char buf[64];
  int fd = open("/README");
  check(fd >= 3 && read(fd, buf, 4) == 4 && buf[0] == 'r' && buf[3] == 's', "open and read a file");
  check(close(fd) == 0 && close(fd) == -1 && read(fd, buf, 1) == -1, "a closed descriptor fails");
  check(open("/nothere") == -1 && open("/bin") == -1, "open of a missing file or a folder returns -1");
  fd = open("/README");
  unsigned total = 0;
  long n;
  while ((n = read(fd, buf, sizeof buf)) > 0) total += (unsigned)n;
  close(fd);
  check(n == 0 && total > 500, "read to the end of a file, then 0");
  static const struct {
    const char *kind, *what;
  } faults[] = {
      {"null", "a load from address 0 is killed"},
      {"unmapped", "a load from an unmapped address is killed"},
      {"text", "a store to read-only text is killed"},
      {"stack", "a stack overflow is killed"},
      {"kernel", "a jump into the kernel is killed"},
      {"data", "a jump into execute-never data is killed"},
      {"misaligned", "a misaligned jump is killed"},
      {"brk", "a breakpoint is killed"},
      {"wfi", "WFI at EL0 (trapped) is killed"},
      {"sysreg", "an EL1 system register read is killed"},
      {"syscall", "an unknown system call is killed"},
      {"readro", "read() into read-only memory is killed"},
  };
  for (unsigned i = 0; i < sizeof faults / sizeof faults[0]; i++) check(run("fault", faults[i].kind) == -1, faults[i].what);
  if (failures) printf("usertests: %d FAILED\n", failures);
  else printf("usertests: all passed\n");
  return failures;
}
