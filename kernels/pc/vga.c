/* The 80x25 colour text screen at 0xB8000: a character and an attribute byte per cell
 * (background << 4 | foreground); the hardware cursor through the CRTC (0x3d4/0x3d5, registers
 * 0x0e/0x0f: cursor location high/low). */
#include "pc.h"

#define COLS 80
#define ROWS 25
static volatile uint16_t *const screen = (volatile uint16_t *)0xb8000;
static unsigned row, col, top; /* rows above `top` (the motd) stay when the console scrolls */

static void set_cursor(void) {
  unsigned pos = row * COLS + col;
  outb(0x3d4, 0x0e);
  outb(0x3d5, (uint8_t)(pos >> 8));
  outb(0x3d4, 0x0f);
  outb(0x3d5, (uint8_t)pos);
}

void vga_clear(uint8_t attr) {
  for (unsigned i = 0; i < COLS * ROWS; i++) screen[i] = (uint16_t)(attr << 8 | ' ');
  row = col = 0;
  set_cursor();
}

void vga_keep_above(unsigned r) { top = r < ROWS - 1 ? r : 0; }

static void scroll(void) {
  for (unsigned i = top * COLS; i < COLS * (ROWS - 1); i++) screen[i] = screen[i + COLS];
  for (unsigned i = COLS * (ROWS - 1); i < COLS * ROWS; i++) screen[i] = 0x0700 | ' ';
  row = ROWS - 1;
}

void vga_write(const char *s, unsigned n, uint8_t attr) {
  for (unsigned i = 0; i < n; i++) {
    char c = s[i];
    if (c == '\n') {
      col = 0;
      row++;
    } else if (c == '\b') {
      if (col) col--;
    } else {
      screen[row * COLS + col] = (uint16_t)(attr << 8 | (uint8_t)c);
      if (++col == COLS) col = 0, row++;
    }
    if (row == ROWS) scroll();
  }
  set_cursor();
}

void vga_cursor(unsigned *r, unsigned *c) {
  outb(0x3d4, 0x0e);
  unsigned pos = (unsigned)inb(0x3d5) << 8;
  outb(0x3d4, 0x0f);
  pos |= inb(0x3d5);
  *r = pos / COLS;
  *c = pos % COLS;
}
