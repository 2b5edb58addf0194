/* Paths: a relative path is taken from the working folder (the shell's `cd`, inherited by the
 * processes it starts); "." and ".." are resolved here, so a working folder stays canonical. */
#include "rpi.h"

/* Writes the canonical absolute form of path (relative to cwd) to out; 0 if it is too long. */
int path_resolve(const char *cwd, const char *path, char *out, unsigned size) {
  unsigned n = 0;
  out[n++] = '/';
  for (int pass = path[0] == '/'; pass < 2; pass++) {
    const char *p = pass == 0 ? cwd : path;
    while (*p) {
      while (*p == '/') p++;
      if (!*p) break;
      unsigned len = 0;
      while (p[len] && p[len] != '/') len++;
      if (len == 2 && p[0] == '.' && p[1] == '.') {
        while (n > 1 && out[n - 1] != '/') n--; /* drop the last name */
        if (n > 1) n--;
      } else if (!(len == 1 && p[0] == '.')) {
        if (n + len + 1 >= size) return 0;
        if (n > 1) out[n++] = '/';
        for (unsigned i = 0; i < len; i++) out[n++] = p[i];
      }
      p += len;
    }
  }
  out[n] = 0;
  return 1;
}
