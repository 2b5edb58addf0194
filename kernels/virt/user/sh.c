/*
 * sh: prompt "$ ", runs programs from /bin with fork + exec + wait. Pipelines (a | b),
 * redirections (< file, > file, >> file), quotes. Built-ins: cd, exit, shutdown, help.
 * Line editing (backspace, Ctrl-U) is the console's.
 */
#include "user.h"

#define MAXLINE 128
#define MAXARGS 16
#define MAXCMDS 4

struct cmd {
  char *argv[MAXARGS + 1];
  char *in, *out;
  int append;
};

/* Splits the line into commands; words are copied (unquoted) into words[]. */
static int parse(const char *s, char *words, struct cmd *cmds, int *ncmds) {
  int n = 0, argc = 0;
  struct cmd *c = &cmds[0];
  char **redir = 0;
  memset(cmds, 0, sizeof(struct cmd) * MAXCMDS);
  for (;;) {
    while (*s == ' ' || *s == '\t') s++;
    if (*s == 0) break;
    if (*s == '|') {
      s++;
      if (argc == 0 || redir || n + 1 >= MAXCMDS) return -1;
      c->argv[argc] = 0;
      c = &cmds[++n];
      argc = 0;
      continue;
    }
    if (*s == '<' || *s == '>') {
      if (redir) return -1;
      redir = *s == '<' ? &c->in : &c->out;
      if (s[0] == '>' && s[1] == '>') c->append = 1, s++;
      s++;
      continue;
    }
    char *w = words;
    while (*s && *s != ' ' && *s != '\t' && *s != '|' && *s != '<' && *s != '>') {
      if (*s == '"' || *s == '\'') {
        char q = *s++;
        while (*s && *s != q) *words++ = *s++;
        if (*s == q) s++;
      } else {
        *words++ = *s++;
      }
    }
    *words++ = 0;
    if (redir) {
      *redir = w;
      redir = 0;
    } else {
      if (argc >= MAXARGS) return -1;
      c->argv[argc++] = w;
    }
  }
  if (redir) return -1;
  c->argv[argc] = 0;
  if (argc == 0 && (n > 0 || c->in || c->out)) return -1;
  *ncmds = argc ? n + 1 : 0;
  return 0;
}

static void run(struct cmd *c) {
  if (c->in) {
    close(0);
    if (open(c->in, O_RDONLY) != 0) {
      fprintf(2, "sh: %s: cannot open\n", c->in);
      exit(1);
    }
  }
  if (c->out) {
    close(1);
    if (open(c->out, O_WRONLY | O_CREATE | (c->append ? O_APPEND : O_TRUNC)) != 1) {
      fprintf(2, "sh: %s: cannot create\n", c->out);
      exit(1);
    }
  }
  char path[64];
  const char *name = c->argv[0];
  if (strchr(name, '/')) snprintf(path, sizeof path, "%s", name);
  else snprintf(path, sizeof path, "/bin/%s", name);
  exec(path, c->argv);
  fprintf(2, "sh: %s: not found\n", name);
  exit(127);
}

static int builtin(struct cmd *c) {
  char **argv = c->argv;
  if (strcmp(argv[0], "cd") == 0) {
    if (chdir(argv[1] ? argv[1] : "/") < 0) printf("sh: cd: %s: no such directory\n", argv[1]);
    return 1;
  }
  if (strcmp(argv[0], "exit") == 0) exit(argv[1] ? atoi(argv[1]) : 0);
  if (strcmp(argv[0], "shutdown") == 0) shutdown();
  if (strcmp(argv[0], "help") == 0) {
    printf("built-ins: cd DIR, exit [CODE], shutdown, help; programs are in /bin (ls /bin)\n");
    printf("a | b, < file, > file, >> file; backspace and Ctrl-U edit the line, Ctrl-D ends input\n");
    return 1;
  }
  return 0;
}

int main(void) {
  static char line[MAXLINE], words[2 * MAXLINE];
  struct cmd cmds[MAXCMDS];
  int ncmds;
  for (;;) {
    write(1, "$ ", 2);
    int n = read(0, line, sizeof line - 1);
    if (n <= 0) break;
    line[n] = 0;
    if (n > 0 && line[n - 1] == '\n') line[n - 1] = 0;
    if (parse(line, words, cmds, &ncmds) < 0) {
      printf("sh: syntax error\n");
      continue;
    }
    if (ncmds == 0) continue;
    if (ncmds == 1 && builtin(&cmds[0])) continue;
    int pids[MAXCMDS], prev = -1;
    for (int i = 0; i < ncmds; i++) {
      int fds[2] = {-1, -1};
      if (i + 1 < ncmds && pipe(fds) < 0) {
        printf("sh: pipe failed\n");
        break;
      }
      pids[i] = fork();
      if (pids[i] == 0) {
        if (prev >= 0) {
          close(0);
          dup(prev);
          close(prev);
        }
        if (fds[1] >= 0) {
          close(1);
          dup(fds[1]);
          close(fds[1]);
          close(fds[0]);
        }
        run(&cmds[i]);
      }
      if (prev >= 0) close(prev);
      if (fds[1] >= 0) close(fds[1]);
      prev = fds[0];
      if (pids[i] < 0) {
        printf("sh: fork failed\n");
        break;
      }
    }
    if (prev >= 0) close(prev);
    int status;
    while (wait(&status) >= 0) {
    }
  }
  return 0;
}
