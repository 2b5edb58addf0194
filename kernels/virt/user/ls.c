/* ls: lists directories (name, type, size) or describes files. */
#include "user.h"

static const char *type_name(int t) { return t == S_DIR ? "dir" : t == S_FILE ? "file" : "?"; }

static int ls(const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    fprintf(2, "ls: %s: not found\n", path);
    return 1;
  }
  struct stat st;
  fstat(fd, &st);
  if (st.type != S_DIR) {
    printf("%-20s %-4s %6u\n", path, type_name(st.type), st.size);
    close(fd);
    return 0;
  }
  struct dirinfo d;
  while (readdir(fd, &d) > 0) printf("%-20s %-4s %6u\n", d.name, type_name(d.type), d.size);
  close(fd);
  return 0;
}

int main(int argc, char **argv) {
  int status = 0;
  if (argc < 2) return ls(".");
  for (int i = 1; i < argc; i++) {
    if (argc > 2) printf("%s:\n", argv[i]);
    status |= ls(argv[i]);
  }
  return status;
}
