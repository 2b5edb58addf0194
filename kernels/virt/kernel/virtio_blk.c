/*
 * virtio-blk over virtio-mmio (virtio 1.2 spec §4.2 and §5.2), both transports QEMU offers: the
 * legacy interface (Version 1: GuestPageSize, QueuePFN, QueueAlign; QEMU's default) and the
 * modern one (Version 2: FEATURES_OK, QueueDesc/Driver/Device addresses, QueueReady; QEMU with
 * -global virtio-mmio.force-legacy=false). One request at a time on one split virtqueue; the
 * requesting process sleeps until the used-buffer interrupt (polling before the scheduler runs).
 */
#include "kernel.h"

#define MAGIC_VALUE 0x000
#define VERSION 0x004
#define DEVICE_ID 0x008
#define DEVICE_FEATURES 0x010
#define DEVICE_FEATURES_SEL 0x014
#define DRIVER_FEATURES 0x020
#define DRIVER_FEATURES_SEL 0x024
#define GUEST_PAGE_SIZE 0x028 /* legacy */
#define QUEUE_SEL 0x030
#define QUEUE_NUM_MAX 0x034
#define QUEUE_NUM 0x038
#define QUEUE_ALIGN 0x03c /* legacy */
#define QUEUE_PFN 0x040   /* legacy */
#define QUEUE_READY 0x044
#define QUEUE_NOTIFY 0x050
#define INTERRUPT_STATUS 0x060
#define INTERRUPT_ACK 0x064
#define STATUS 0x070
#define QUEUE_DESC_LOW 0x080
#define QUEUE_DESC_HIGH 0x084
#define QUEUE_DRIVER_LOW 0x090
#define QUEUE_DRIVER_HIGH 0x094
#define QUEUE_DEVICE_LOW 0x0a0
#define QUEUE_DEVICE_HIGH 0x0a4
#define CONFIG 0x100

#define S_ACKNOWLEDGE 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define S_FAILED 0x80

#define VIRTIO_MAGIC 0x74726976
#define VIRTIO_ID_BLOCK 2
#define BLK_F_RO (1u << 5)
#define BLK_F_FLUSH (1u << 9)
#define F_VERSION_1_HI (1u << 0) /* feature bit 32 */

#define BLK_T_IN 0
#define BLK_T_OUT 1
#define BLK_T_FLUSH 4

#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2

#define QSIZE 8
struct vring_desc { u64 addr; u32 len; u16 flags, next; };
struct vring_avail { u16 flags, idx, ring[QSIZE], used_event; };
struct vring_used_elem { u32 id, len; };
struct vring_used { u16 flags, idx; struct vring_used_elem ring[QSIZE]; u16 avail_event; };

/* Legacy layout (QueueAlign 4096): descriptors and the available ring, then the used ring on
 * the next page. The modern transport takes the same three addresses. */
static u8 queue_mem[2 * PGSIZE] __attribute__((aligned(PGSIZE)));
static struct vring_desc *const desc = (void *)queue_mem;
static struct vring_avail *const avail = (void *)(queue_mem + QSIZE * sizeof(struct vring_desc));
static volatile struct vring_used *const used = (void *)(queue_mem + PGSIZE);

static volatile u32 *regs;
static int version;
static u16 last_used;
static int busy, done;
static struct { u32 type, reserved; u64 sector; } req;
static volatile u8 req_status;

u32 virtio_blk_irq;
int virtio_blk_ok;
static u64 capacity;
static int has_flush;
int virtio_blk_ro;

static inline u32 rd(u32 off) { return regs[off / 4]; }
static inline void wr(u32 off, u32 v) { regs[off / 4] = v; }

static int blk_init(u32 base, u32 irq) {
  wr(STATUS, 0);
  wr(STATUS, S_ACKNOWLEDGE);
  wr(STATUS, S_ACKNOWLEDGE | S_DRIVER);
  wr(DEVICE_FEATURES_SEL, 0);
  u32 f0 = rd(DEVICE_FEATURES);
  wr(DEVICE_FEATURES_SEL, 1);
  u32 f1 = rd(DEVICE_FEATURES);
  u32 want0 = f0 & (BLK_F_FLUSH | BLK_F_RO), want1 = version == 2 ? (f1 & F_VERSION_1_HI) : 0;
  if (version == 2 && !want1) {
    kprintf("virtio-blk: modern device without VIRTIO_F_VERSION_1\n");
    wr(STATUS, S_FAILED);
    return -1;
  }
  wr(DRIVER_FEATURES_SEL, 0);
  wr(DRIVER_FEATURES, want0);
  wr(DRIVER_FEATURES_SEL, 1);
  wr(DRIVER_FEATURES, want1);
  u32 st = S_ACKNOWLEDGE | S_DRIVER;
  if (version == 2) {
    wr(STATUS, st |= S_FEATURES_OK);
    if (!(rd(STATUS) & S_FEATURES_OK)) {
      kprintf("virtio-blk: features not accepted\n");
      wr(STATUS, S_FAILED);
      return -1;
    }
  } else {
    wr(GUEST_PAGE_SIZE, PGSIZE);
  }
  has_flush = (want0 & BLK_F_FLUSH) != 0;
  virtio_blk_ro = (want0 & BLK_F_RO) != 0;

  wr(QUEUE_SEL, 0);
  u32 max = rd(QUEUE_NUM_MAX);
  if (max < QSIZE || (version == 2 ? rd(QUEUE_READY) : rd(QUEUE_PFN)) != 0) {
    kprintf("virtio-blk: queue 0 unusable (max %u)\n", max);
    wr(STATUS, S_FAILED);
    return -1;
  }
  wr(QUEUE_NUM, QSIZE);
  if (version == 1) {
    wr(QUEUE_ALIGN, PGSIZE);
    wr(QUEUE_PFN, (u32)queue_mem >> PGSHIFT);
  } else {
    wr(QUEUE_DESC_LOW, (u32)desc);
    wr(QUEUE_DESC_HIGH, 0);
    wr(QUEUE_DRIVER_LOW, (u32)avail);
    wr(QUEUE_DRIVER_HIGH, 0);
    wr(QUEUE_DEVICE_LOW, (u32)used);
    wr(QUEUE_DEVICE_HIGH, 0);
    wr(QUEUE_READY, 1);
  }
  wr(STATUS, st | S_DRIVER_OK);
  capacity = rd(CONFIG) | ((u64)rd(CONFIG + 4) << 32);
  virtio_blk_irq = irq;
  plic_enable(irq);
  kprintf("virtio-blk: virtio-mmio@%x irq %u, %s transport, %u sectors%s%s\n", base, irq,
          version == 1 ? "legacy" : "modern", (u32)capacity, has_flush ? ", flush" : "",
          virtio_blk_ro ? ", read-only" : "");
  return 0;
}

/* Looks at every virtio-mmio slot of the device tree; the first block device becomes the disk. */
int virtio_probe(void) {
  for (int i = 0; i < machine.nvirtio; i++) {
    volatile u32 *r = ioremap(machine.virtio_base[i], 0x200);
    u32 magic = r[MAGIC_VALUE / 4], ver = r[VERSION / 4], id = r[DEVICE_ID / 4];
    if (magic != VIRTIO_MAGIC || (ver != 1 && ver != 2)) {
      kprintf("virtio-mmio@%x: not a virtio device (magic 0x%08x, version %u)\n", machine.virtio_base[i], magic, ver);
      continue;
    }
    if (id == 0) continue; /* empty slot */
    if (id != VIRTIO_ID_BLOCK || virtio_blk_ok) {
      kprintf("virtio-mmio@%x: device type %u, not used\n", machine.virtio_base[i], id);
      continue;
    }
    regs = r;
    version = ver;
    if (blk_init(machine.virtio_base[i], machine.virtio_irq[i]) == 0) virtio_blk_ok = 1;
  }
  return virtio_blk_ok ? 0 : -1;
}

/* Takes the used ring's new entries: the request in flight completed. */
static void reap(void) {
  while (last_used != used->idx) {
    mb();
    last_used++;
    done = 1;
  }
}

void virtio_blk_intr(void) {
  wr(INTERRUPT_ACK, rd(INTERRUPT_STATUS) & 3);
  reap();
  if (done) wakeup(&done);
}

/* Makes descriptor chain 0 available, notifies, waits for the device (sleeping when a process
 * can). Returns the request's status byte. */
static int submit(void) {
  done = 0;
  req_status = 0xff;
  avail->ring[avail->idx % QSIZE] = 0;
  mb();
  avail->idx++;
  mb();
  wr(QUEUE_NOTIFY, 0);
  if (myproc()) {
    while (!done) sleep_on(&done);
  } else {
    while (!done) {
      mb();
      reap();
    }
    wr(INTERRUPT_ACK, rd(INTERRUPT_STATUS) & 3);
  }
  mb();
  return req_status;
}

static void lock(void) {
  while (busy) sleep_on(&busy);
  busy = 1;
}

static void unlock(void) {
  busy = 0;
  wakeup(&busy);
}

void virtio_blk_rw(void *buf, u32 sector, u32 nsectors, int write) {
  if (!virtio_blk_ok) panic("virtio-blk: no disk");
  if (sector + nsectors > capacity) panic("virtio-blk: sector %u beyond the disk", sector);
  lock();
  req.type = write ? BLK_T_OUT : BLK_T_IN;
  req.reserved = 0;
  req.sector = sector;
  desc[0] = (struct vring_desc){(u32)&req, sizeof req, VRING_DESC_F_NEXT, 1};
  desc[1] = (struct vring_desc){(u32)buf, nsectors * 512, VRING_DESC_F_NEXT | (write ? 0 : VRING_DESC_F_WRITE), 2};
  desc[2] = (struct vring_desc){(u32)&req_status, 1, VRING_DESC_F_WRITE, 0};
  int st = submit();
  unlock();
  if (st != 0) panic("virtio-blk: %s of sector %u failed (status %d)", write ? "write" : "read", sector, st);
}

void virtio_blk_flush(void) {
  if (!virtio_blk_ok || !has_flush) return;
  lock();
  req.type = BLK_T_FLUSH;
  req.reserved = 0;
  req.sector = 0;
  desc[0] = (struct vring_desc){(u32)&req, sizeof req, VRING_DESC_F_NEXT, 1};
  desc[1] = (struct vring_desc){(u32)&req_status, 1, VRING_DESC_F_WRITE, 0};
  int st = submit();
  unlock();
  if (st != 0) kprintf("virtio-blk: flush failed (status %d)\n", st);
}
