/*
 * The console: a line discipline over the UART's input (echo, backspace, Ctrl-U kills the line,
 * Ctrl-D ends input, escape sequences such as arrow keys are swallowed). read() returns at most
 * one line. Output goes to the SBI console.
 */
#include "kernel.h"

#define INPUT_BUF 128
#define CTRL(x) ((x) - '@')

static struct {
  char buf[INPUT_BUF];
  u32 r; /* next to read */
  u32 w; /* end of committed lines */
  u32 e; /* end of the line being edited */
  int esc;
} cons;

static void echo(const char *s) { sbi_console_write(s, strlen(s)); }

void console_intr(int c) {
  if (cons.esc == 1) {
    cons.esc = c == '[' ? 2 : 0;
    return;
  }
  if (cons.esc == 2) {
    if (c >= 0x40 && c <= 0x7e) cons.esc = 0;
    return;
  }
  switch (c) {
  case 0x1b:
    cons.esc = 1;
    break;
  case CTRL('U'):
    while (cons.e != cons.w && cons.buf[(cons.e - 1) % INPUT_BUF] != '\n') {
      cons.e--;
      echo("\b \b");
    }
    break;
  case CTRL('H'):
  case 0x7f:
    if (cons.e != cons.w) {
      cons.e--;
      echo("\b \b");
    }
    break;
  default:
    if (c == '\r') c = '\n';
    if (c == 0 || (c < ' ' && c != '\n' && c != '\t' && c != CTRL('D'))) break;
    if (cons.e - cons.r >= INPUT_BUF) break;
    cons.buf[cons.e++ % INPUT_BUF] = c;
    if (c != CTRL('D')) {
      char s[2] = {(char)c, 0};
      echo(s);
    }
    if (c == '\n' || c == CTRL('D') || cons.e - cons.r == INPUT_BUF) {
      cons.w = cons.e;
      wakeup(&cons.r);
    }
  }
}

/* Without a UART, input is polled from the SBI (DBCN read or legacy getchar) once a tick. */
static void poll_sbi(void) {
  for (;;) {
    long c;
    if (sbi_has_dbcn) {
      char ch;
      struct sbiret r = sbi_call(0x4442434E, 1, 1, (u32)&ch, 0);
      c = r.error == 0 && r.value == 1 ? (u8)ch : -1;
    } else {
      c = sbi_call(0x02, 0, 0, 0, 0).error;
    }
    if (c < 0) return;
    console_intr((int)c);
  }
}

int console_read(u32 dst, u32 n) {
  struct proc *p = myproc();
  char kbuf[INPUT_BUF];
  u32 got = 0;
  while (cons.r == cons.w) {
    if (p->killed) return -1;
    if (uart_ok) {
      sleep_on(&cons.r);
    } else {
      poll_sbi();
      if (cons.r != cons.w) break;
      p->wake_at = rdtime() + tick_interval;
      sleep_on(p);
    }
  }
  while (got < n && got < sizeof kbuf && cons.r != cons.w) {
    char c = cons.buf[cons.r % INPUT_BUF];
    if (c == CTRL('D')) {
      if (got == 0) cons.r++; /* end of input; keep it for next time if there is data before */
      break;
    }
    cons.r++;
    kbuf[got++] = c;
    if (c == '\n') break;
  }
  if (got && copyout(p->pagetable, dst, kbuf, got) < 0) return -2;
  return got;
}

int console_write(u32 src, u32 n) {
  struct proc *p = myproc();
  char kbuf[128];
  u32 done = 0;
  while (done < n) {
    u32 k = n - done < sizeof kbuf ? n - done : sizeof kbuf;
    if (copyin(p->pagetable, kbuf, src + done, k) < 0) return -2;
    sbi_console_write(kbuf, k);
    done += k;
  }
  return done;
}
