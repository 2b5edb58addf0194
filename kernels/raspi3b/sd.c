/* The SD card through the Arasan EMMC controller at 0x3F300000, an SD Host Controller (SD
 * Association "SD Host Controller Simplified Specification" 3.00; BCM2835 ARM Peripherals, 5)
 * driven by polling, with PIO data (no DMA, so no cache maintenance). QEMU 7.2's raspi3b has the
 * card on this controller from reset (the Pi firmware routes GPIO 48-53 to it).
 * Initialisation (SD "Physical Layer Simplified Specification", 4.2): CMD0, CMD8 (v2 card),
 * ACMD41 until powered up, CMD2, CMD3 (RCA), CMD7 (select), CMD16 (512-byte blocks). Reads:
 * CMD17 (one block) and CMD18 with auto CMD12 (several); writes: CMD24 and CMD25 likewise. */
#include "rpi.h"

#define EMMC (MMIO_BASE + 0x300000)
#define BLKSIZECNT (EMMC + 0x04)
#define ARG1 (EMMC + 0x08)
#define CMDTM (EMMC + 0x0c)
#define RESP0 (EMMC + 0x10)
#define DATA (EMMC + 0x20)
#define STATUS (EMMC + 0x24)
#define CONTROL0 (EMMC + 0x28)
#define CONTROL1 (EMMC + 0x2c)
#define INTERRUPT (EMMC + 0x30)
#define IRPT_MASK (EMMC + 0x34)
#define IRPT_EN (EMMC + 0x38)
#define CAPABILITIES (EMMC + 0x40)

#define STATUS_CMD_INHIBIT (1u << 0)
#define STATUS_DAT_INHIBIT (1u << 1)
#define STATUS_CARD_INSERTED (1u << 16)
#define C0_POWER_3V3 (0xfu << 8) /* power control: bus power on, 3.3 V */
#define C1_CLK_INTLEN (1u << 0)
#define C1_CLK_STABLE (1u << 1)
#define C1_CLK_EN (1u << 2)
#define C1_TIMEOUT_MAX (0xeu << 16)
#define C1_SRST_HC (1u << 24)
#define C1_SRST_CMD (1u << 25)
#define C1_SRST_DATA (1u << 26)
#define INT_CMD_DONE (1u << 0)
#define INT_DATA_DONE (1u << 1)
#define INT_WRITE_RDY (1u << 4)
#define INT_READ_RDY (1u << 5)
#define INT_ERROR (1u << 15)

/* Command register (CMDTM high half) and transfer mode (low half). */
#define CMD_INDEX(n) ((uint32_t)(n) << 24)
#define RSP_NONE 0
#define RSP_136 (1u << 16)
#define RSP_48 (2u << 16)
#define RSP_48_BUSY (3u << 16)
#define CRC_CHECK (1u << 19)
#define INDEX_CHECK (1u << 20)
#define DATA_PRESENT (1u << 21)
#define TM_BLKCNT_EN (1u << 1)
#define TM_AUTO_CMD12 (1u << 2)
#define TM_READ (1u << 4)
#define TM_MULTI (1u << 5)
#define R1 (RSP_48 | CRC_CHECK | INDEX_CHECK)
#define R1B (RSP_48_BUSY | CRC_CHECK | INDEX_CHECK)
#define R2 (RSP_136 | CRC_CHECK)
#define R3 RSP_48 /* OCR: no CRC, no index */

#define OCR_BUSY_DONE (1u << 31)
#define OCR_CCS (1u << 30)
#define ACMD41_ARG 0x40ff8000u /* HCS (we take high capacity) + 2.7-3.6 V */

static uint32_t rca;
static int block_addressed; /* SDHC/SDXC: CMD17/18 take a block number, SDSC a byte offset */
static int card_ready;

static uint64_t now_us(void) { return read_sysreg(cntpct_el0) / (read_sysreg(cntfrq_el0) / 1000000); }

/* Waits until (reg & mask) == want, at most timeout_us; 1 if it got there. */
static int wait_reg(uintptr_t reg, uint32_t mask, uint32_t want, unsigned timeout_us) {
  uint64_t t0 = now_us();
  while ((mmio_read(reg) & mask) != want)
    if (now_us() - t0 > timeout_us) return 0;
  return 1;
}

/* Waits for one of bits (or an error) in the interrupt status, at most 100 ms; its value, or 0. */
static uint32_t wait_int(uint32_t bits) {
  uint64_t t0 = now_us();
  for (;;) {
    uint32_t v = mmio_read(INTERRUPT);
    if (v & (bits | INT_ERROR)) return v;
    if (now_us() - t0 > 100000) return 0;
  }
}

/* After an error: clear the status and reset the command (and data) circuits. */
static void recover(uint32_t reset) {
  mmio_write(INTERRUPT, 0xffffffffu);
  mmio_write(CONTROL1, mmio_read(CONTROL1) | reset);
  wait_reg(CONTROL1, reset, 0, 100000);
}

static int sd_cmd(unsigned index, uint32_t arg, uint32_t flags, uint32_t *resp) {
  uint32_t inhibit = STATUS_CMD_INHIBIT | ((flags & (DATA_PRESENT | RSP_48_BUSY)) ? STATUS_DAT_INHIBIT : 0);
  if (!wait_reg(STATUS, inhibit, 0, 100000)) return 0;
  mmio_write(INTERRUPT, 0xffffffffu);
  mmio_write(ARG1, arg);
  mmio_write(CMDTM, CMD_INDEX(index) | flags);
  uint32_t v = wait_int(INT_CMD_DONE);
  if (!(v & INT_CMD_DONE) || (v & INT_ERROR)) {
    recover(C1_SRST_CMD);
    return 0;
  }
  mmio_write(INTERRUPT, INT_CMD_DONE);
  if (resp)
    for (unsigned i = 0; i < 4; i++) resp[i] = mmio_read(RESP0 + 4 * i);
  return 1;
}

static int app_cmd(unsigned index, uint32_t arg, uint32_t flags, uint32_t *resp) {
  return sd_cmd(55, rca << 16, R1, 0) && sd_cmd(index, arg, flags, resp);
}

/* SD clock = base / (2 * divisor) (SDHCI 3.00 10-bit divided clock mode). */
static void set_clock(unsigned hz) {
  unsigned base = (mmio_read(CAPABILITIES) >> 8) & 0xff; /* MHz; 0: not given */
  uint64_t base_hz = base ? base * 1000000UL : 100000000UL;
  unsigned div = (unsigned)((base_hz + 2 * hz - 1) / (2 * hz));
  if (div > 0x3ff) div = 0x3ff;
  uint32_t c1 = mmio_read(CONTROL1) & ~(C1_CLK_EN | 0xffc0u);
  c1 |= C1_CLK_INTLEN | C1_TIMEOUT_MAX | (div & 0xff) << 8 | (div >> 8) << 6;
  mmio_write(CONTROL1, c1);
  wait_reg(CONTROL1, C1_CLK_STABLE, C1_CLK_STABLE, 100000);
  mmio_write(CONTROL1, c1 | C1_CLK_EN);
}

int sd_init(void) {
  mmio_write(CONTROL1, C1_SRST_HC);
  if (!wait_reg(CONTROL1, C1_SRST_HC, 0, 100000)) return printf("sd: controller reset failed\n"), 0;
  if (!(mmio_read(STATUS) & STATUS_CARD_INSERTED)) return printf("sd: no card\n"), 0;
  mmio_write(CONTROL0, C0_POWER_3V3);
  set_clock(400000);
  mmio_write(IRPT_EN, 0);            /* no interrupt line: polled */
  mmio_write(IRPT_MASK, 0xffffffffu); /* but every status bit visible */
  mmio_write(INTERRUPT, 0xffffffffu);

  uint32_t r[4];
  sd_cmd(0, 0, RSP_NONE, 0); /* GO_IDLE_STATE */
  int v2 = sd_cmd(8, 0x1aa, R1, r) && (r[0] & 0xfff) == 0x1aa; /* SEND_IF_COND: 2.7-3.6 V, check 0xaa */
  uint64_t t0 = now_us();
  do {
    if (!app_cmd(41, v2 ? ACMD41_ARG : ACMD41_ARG & ~OCR_CCS, R3, r)) return printf("sd: no answer to ACMD41\n"), 0;
    if (now_us() - t0 > 1000000) return printf("sd: card stays busy\n"), 0;
  } while (!(r[0] & OCR_BUSY_DONE));
  block_addressed = (r[0] & OCR_CCS) != 0;
  if (!sd_cmd(2, 0, R2, r)) return printf("sd: CMD2 failed\n"), 0;   /* ALL_SEND_CID */
  if (!sd_cmd(3, 0, R1, r)) return printf("sd: CMD3 failed\n"), 0;   /* SEND_RELATIVE_ADDR (R6) */
  rca = r[0] >> 16;
  if (!sd_cmd(7, rca << 16, R1B, r)) return printf("sd: CMD7 failed\n"), 0; /* SELECT_CARD */
  if (!sd_cmd(16, 512, R1, r)) return printf("sd: CMD16 failed\n"), 0;     /* SET_BLOCKLEN */
  set_clock(25000000);
  card_ready = 1;
  printf("sd: card ready (SD %s, %s), RCA 0x%04x, 512-byte blocks\n", v2 ? "2.0+" : "1.x",
         block_addressed ? "SDHC, block addresses" : "SDSC, byte addresses", rca);
  return 1;
}

/* Reads count 512-byte blocks from block lba: CMD17 for one, CMD18 + auto CMD12 for more. */
int sd_read(uint32_t lba, unsigned count, void *buf) {
  if (!card_ready || !count) return 0;
  uint32_t *out = buf, r[4];
  uint32_t arg = block_addressed ? lba : lba * 512;
  mmio_write(BLKSIZECNT, (count << 16) | 512);
  int ok = count == 1 ? sd_cmd(17, arg, R1 | DATA_PRESENT | TM_READ, r)
                      : sd_cmd(18, arg, R1 | DATA_PRESENT | TM_READ | TM_MULTI | TM_BLKCNT_EN | TM_AUTO_CMD12, r);
  for (unsigned b = 0; ok && b < count; b++) {
    uint32_t v = wait_int(INT_READ_RDY);
    ok = (v & INT_READ_RDY) && !(v & INT_ERROR);
    mmio_write(INTERRUPT, INT_READ_RDY);
    for (unsigned i = 0; ok && i < 128; i++) *out++ = mmio_read(DATA);
  }
  if (ok) {
    uint32_t v = wait_int(INT_DATA_DONE);
    ok = (v & INT_DATA_DONE) && !(v & INT_ERROR);
  }
  mmio_write(INTERRUPT, 0xffffffffu);
  if (!ok) {
    recover(C1_SRST_CMD | C1_SRST_DATA);
    printf("sd: read of %u blocks at %u failed\n", count, lba);
  }
  return ok;
}

/* Writes count 512-byte blocks at block lba: CMD24 for one, CMD25 + auto CMD12 for more. */
int sd_write(uint32_t lba, unsigned count, const void *buf) {
  if (!card_ready || !count) return 0;
  const uint32_t *in = buf;
  uint32_t r[4], arg = block_addressed ? lba : lba * 512;
  mmio_write(BLKSIZECNT, (count << 16) | 512);
  int ok = count == 1 ? sd_cmd(24, arg, R1 | DATA_PRESENT, r)
                      : sd_cmd(25, arg, R1 | DATA_PRESENT | TM_MULTI | TM_BLKCNT_EN | TM_AUTO_CMD12, r);
  for (unsigned b = 0; ok && b < count; b++) {
    uint32_t v = wait_int(INT_WRITE_RDY);
    ok = (v & INT_WRITE_RDY) && !(v & INT_ERROR);
    mmio_write(INTERRUPT, INT_WRITE_RDY);
    for (unsigned i = 0; ok && i < 128; i++) mmio_write(DATA, *in++);
  }
  if (ok) {
    uint32_t v = wait_int(INT_DATA_DONE); /* the card has programmed the data */
    ok = (v & INT_DATA_DONE) && !(v & INT_ERROR);
  }
  mmio_write(INTERRUPT, 0xffffffffu);
  if (!ok) {
    recover(C1_SRST_CMD | C1_SRST_DATA);
    printf("sd: write of %u blocks at %u failed\n", count, lba);
  }
  return ok;
}
