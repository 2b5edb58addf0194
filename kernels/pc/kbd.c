/* The PS/2 keyboard through the i8042 controller (ports 0x60 data, 0x64 status/command) on
 * IRQ 1: key presses in scancode set 1 (the controller translates; command byte 0x61, as a PC
 * BIOS leaves it: translation, keyboard interrupt, mouse off) become characters of the same
 * input the shell reads from COM1, so the VGA screen and the keyboard make a console too. */
#include "pc.h"

static const char normal[58] = {0,   27,  '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=', 0x7f, '\t',
                                'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', '[', ']', '\n', 0,  'a',  's',
                                'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`', 0,  '\\', 'z', 'x', 'c', 'v',
                                'b', 'n', 'm', ',', '.', '/', 0,   '*', 0,   ' '};
static const char shifted[58] = {0,   27,  '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_', '+', 0x7f, '\t',
                                 'Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}', '\n', 0,  'A',  'S',
                                 'D', 'F', 'G', 'H', 'J', 'K', 'L', ':', '"', '~', 0,  '|', 'Z', 'X', 'C', 'V',
                                 'B', 'N', 'M', '<', '>', '?', 0,   '*', 0,   ' '};
static int shift;

static void wait_input_empty(void) {
  for (unsigned i = 0; i < 100000 && (inb(0x64) & 0x02); i++) {}
}

void kbd_init(void) {
  for (unsigned i = 0; i < 16 && (inb(0x64) & 0x01); i++) inb(0x60); /* stale bytes */
  wait_input_empty();
  outb(0x64, 0x60); /* write the command byte */
  wait_input_empty();
  outb(0x60, 0x61);
  pic_unmask(1);
}

void kbd_irq(void) {
  while (inb(0x64) & 0x01) {
    uint8_t sc = inb(0x60);
    if (sc == 0x2a || sc == 0x36) shift = 1;
    else if (sc == 0xaa || sc == 0xb6) shift = 0;
    else if (sc < sizeof normal && (shift ? shifted : normal)[sc]) console_input((shift ? shifted : normal)[sc]);
  }
}
