/* The primary IDE channel's master drive through ATA PIO (ATA-6: READ SECTORS 0x20, WRITE
 * SECTORS 0x30, CACHE FLUSH 0xe7, LBA28), polled with nIEN set. rvfs (raspi3b's fs.c and
 * fs_write.c, shared) reads and writes through sd_read/sd_write in 512-byte sectors. */
#include "pc.h"

#define IO 0x1f0
#define CTRL 0x3f6
#define ST_BSY 0x80
#define ST_DRQ 0x08
#define ST_ERR 0x01
static int present;

static int wait_ready(void) {
  uint8_t s;
  for (unsigned i = 0; i < 10000000; i++) {
    s = inb(IO + 7);
    if (s == 0xff) return 0; /* floating bus: no drive */
    if (!(s & ST_BSY)) return !(s & ST_ERR);
  }
  return 0;
}

static int wait_drq(void) {
  for (unsigned i = 0; i < 10000000; i++) {
    uint8_t s = inb(IO + 7);
    if (s & ST_ERR) return 0;
    if (!(s & ST_BSY) && (s & ST_DRQ)) return 1;
  }
  return 0;
}

static void select(uint32_t lba, unsigned count, uint8_t cmd) {
  outb(IO + 6, 0xe0 | ((lba >> 24) & 0x0f)); /* LBA, master */
  outb(IO + 2, (uint8_t)count);
  outb(IO + 3, (uint8_t)lba);
  outb(IO + 4, (uint8_t)(lba >> 8));
  outb(IO + 5, (uint8_t)(lba >> 16));
  outb(IO + 7, cmd);
}

/* IDENTIFY DEVICE (0xec): a drive answers with 256 words; word 60-61: LBA28 sectors. */
int ide_init(void) {
  outb(CTRL, 0x02); /* nIEN: polled */
  outb(IO + 6, 0xa0);
  if (inb(IO + 7) == 0xff) return 0;
  outb(IO + 7, 0xec);
  if (!inb(IO + 7) || !wait_drq()) return 0;
  uint16_t id[256];
  for (unsigned i = 0; i < 256; i++) id[i] = inw(IO);
  present = 1;
  return (int)(id[60] | (uint32_t)id[61] << 16);
}

int sd_read(uint32_t lba, unsigned count, void *buf) {
  uint16_t *p = buf;
  if (!present || !wait_ready()) return 0;
  select(lba, count, 0x20);
  for (unsigned s = 0; s < count; s++) {
    if (!wait_drq()) return 0;
    for (unsigned i = 0; i < 256; i++) *p++ = inw(IO);
  }
  return 1;
}

int sd_write(uint32_t lba, unsigned count, const void *buf) {
  const uint16_t *p = buf;
  if (!present || !wait_ready()) return 0;
  select(lba, count, 0x30);
  for (unsigned s = 0; s < count; s++) {
    if (!wait_drq()) return 0;
    for (unsigned i = 0; i < 256; i++) outw(IO, *p++);
  }
  if (!wait_ready()) return 0;
  outb(IO + 7, 0xe7); /* CACHE FLUSH: durable before the next command */
  return wait_ready();
}
