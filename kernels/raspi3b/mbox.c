/* The VideoCore mailbox property interface (channel 8): a 16-byte aligned buffer of tags,
 * its address | 8 written to MBOX_WRITE, the same value read back from MBOX_READ when done.
 * See the Raspberry Pi firmware wiki, "Mailbox property interface". */
#include "rpi.h"

#define MBOX_CH_PROP 8
#define MBOX_FULL 0x80000000u
#define MBOX_EMPTY 0x40000000u
#define MBOX_REQUEST 0u
#define MBOX_RESPONSE_OK 0x80000000u
#define TAG_SET_CLOCK_RATE 0x00038002u

/* Only core 0 uses the mailbox. The VideoCore sees physical memory: the buffer's physical
 * address goes in the message, and the buffer is cleaned before and invalidated after (the
 * kernel's RAM is cacheable; QEMU has no caches to model, a Pi does). */
static volatile uint32_t __attribute__((aligned(16))) mbox[36];

static void cache_clean_invalidate(volatile void *p, unsigned size) {
  for (uintptr_t a = (uintptr_t)p & ~63UL; a < (uintptr_t)p + size; a += 64) __asm__ volatile("dc civac, %0" ::"r"(a) : "memory");
  dsb();
}

int mbox_property(volatile uint32_t *buf) {
  uint32_t msg = (uint32_t)PA(buf) | MBOX_CH_PROP;
  cache_clean_invalidate(buf, buf[0]);
  while (mmio_read(MBOX_STATUS) & MBOX_FULL) {}
  mmio_write(MBOX_WRITE, msg);
  for (;;) {
    while (mmio_read(MBOX_STATUS) & MBOX_EMPTY) {}
    if (mmio_read(MBOX_READ) == msg) break;
  }
  cache_clean_invalidate(buf, buf[0]);
  return buf[1] == MBOX_RESPONSE_OK;
}

/* One tag with an n-word value buffer; the answer is left in mbox[5..]. */
static int mbox_one_tag(uint32_t tag, unsigned nwords, const uint32_t *in) {
  unsigned i = 0;
  mbox[i++] = (6 + nwords) * 4; /* total size in bytes */
  mbox[i++] = MBOX_REQUEST;
  mbox[i++] = tag;
  mbox[i++] = nwords * 4; /* value buffer size */
  mbox[i++] = 0;          /* request */
  for (unsigned k = 0; k < nwords; k++) mbox[i++] = in ? in[k] : 0;
  mbox[i++] = 0; /* end tag */
  return mbox_property(mbox) && (mbox[4] & MBOX_RESPONSE_OK);
}

int mbox_get_u32(uint32_t tag, uint32_t *value) {
  if (!mbox_one_tag(tag, 1, 0)) return 0;
  *value = mbox[5];
  return 1;
}

int mbox_get_u32x2(uint32_t tag, uint32_t *a, uint32_t *b) {
  if (!mbox_one_tag(tag, 2, 0)) return 0;
  *a = mbox[5];
  *b = mbox[6];
  return 1;
}

/* Tag 0x38002: clock id, rate in Hz, skip-turbo. QEMU 7.2 acknowledges without changing anything. */
int mbox_set_clock_rate(uint32_t clock_id, uint32_t hz) {
  const uint32_t in[3] = {clock_id, hz, 0};
  return mbox_one_tag(TAG_SET_CLOCK_RATE, 3, in);
}
