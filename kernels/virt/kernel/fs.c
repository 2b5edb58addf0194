/*
 * rvfs (docs/disk-format.md): superblock, block bitmap, inode table (64-byte inodes, 12 direct
 * blocks + one single-indirect), directories of 32-byte entries. 1024-byte blocks over 512-byte
 * virtio-blk sectors. A small write-through block cache and an inode cache; one sleeping lock
 * serialises file-system operations (disk I/O inside still lets other processes run).
 */
#include "kernel.h"

struct superblock sb;
int fs_readonly; /* the disk is read-only (VIRTIO_BLK_F_RO): no call may write */

/* ---- the file-system lock ---- */
static int fs_busy;

void fs_lock(void) {
  while (fs_busy) sleep_on(&fs_busy);
  fs_busy = 1;
}

void fs_unlock(void) {
  fs_busy = 0;
  wakeup(&fs_busy);
}

/* ---- block cache ---- */
#define NBUF 16
struct buf {
  u32 blockno;
  int valid;
  int refcnt;
  u32 used; /* LRU stamp */
  u8 data[BSIZE];
};
static struct buf bufs[NBUF];
static u32 buf_clock;

static struct buf *bget(u32 b) {
  struct buf *victim = 0;
  for (int i = 0; i < NBUF; i++) {
    struct buf *bp = &bufs[i];
    if (bp->valid && bp->blockno == b) {
      bp->refcnt++;
      bp->used = ++buf_clock;
      return bp;
    }
    if (bp->refcnt == 0 && (!victim || !bp->valid || (victim->valid && bp->used < victim->used))) victim = bp;
  }
  if (!victim) panic("bget: no buffers");
  victim->blockno = b;
  victim->valid = 0;
  victim->refcnt = 1;
  victim->used = ++buf_clock;
  return victim;
}

static struct buf *bread(u32 b) {
  if (b >= sb.total_blocks && sb.total_blocks) panic("bread: block %u beyond the disk", b);
  struct buf *bp = bget(b);
  if (!bp->valid) {
    virtio_blk_rw(bp->data, b * (BSIZE / 512), BSIZE / 512, 0);
    bp->valid = 1;
  }
  return bp;
}

static void bwrite(struct buf *bp) { virtio_blk_rw(bp->data, bp->blockno * (BSIZE / 512), BSIZE / 512, 1); }
static void brelse(struct buf *bp) { bp->refcnt--; }

/* ---- blocks ---- */
static u32 balloc(void) {
  for (u32 bb = 0; bb < sb.bitmap_blocks; bb++) {
    struct buf *bp = bread(sb.bitmap_start + bb);
    for (u32 bit = 0; bit < BSIZE * 8; bit++) {
      u32 b = bb * BSIZE * 8 + bit;
      if (b >= sb.total_blocks) break;
      if (b < sb.data_start || (bp->data[bit / 8] & (1u << (bit % 8)))) continue;
      bp->data[bit / 8] |= 1u << (bit % 8);
      bwrite(bp);
      brelse(bp);
      struct buf *z = bget(b);
      memset(z->data, 0, BSIZE);
      z->valid = 1;
      bwrite(z);
      brelse(z);
      return b;
    }
    brelse(bp);
  }
  return 0;
}

static void bfree(u32 b) {
  struct buf *bp = bread(sb.bitmap_start + b / (BSIZE * 8));
  u32 bit = b % (BSIZE * 8);
  if (!(bp->data[bit / 8] & (1u << (bit % 8)))) panic("bfree: block %u is free", b);
  bp->data[bit / 8] &= ~(1u << (bit % 8));
  bwrite(bp);
  brelse(bp);
}

u32 fs_free_blocks(void) {
  u32 n = 0;
  for (u32 bb = 0; bb < sb.bitmap_blocks; bb++) {
    struct buf *bp = bread(sb.bitmap_start + bb);
    for (u32 bit = 0; bit < BSIZE * 8; bit++) {
      u32 b = bb * BSIZE * 8 + bit;
      if (b >= sb.total_blocks) break;
      if (!(bp->data[bit / 8] & (1u << (bit % 8)))) n++;
    }
    brelse(bp);
  }
  return n;
}

/* ---- inodes ---- */
#define NINODE 32
#define IPB (BSIZE / sizeof(struct dinode))
static struct inode inodes[NINODE];

static void iload(struct inode *ip) {
  struct buf *bp = bread(sb.inode_start + ip->inum / IPB);
  memcpy(&ip->d, bp->data + (ip->inum % IPB) * sizeof(struct dinode), sizeof(struct dinode));
  brelse(bp);
  ip->valid = 1;
}

static void iupdate(struct inode *ip) {
  struct buf *bp = bread(sb.inode_start + ip->inum / IPB);
  memcpy(bp->data + (ip->inum % IPB) * sizeof(struct dinode), &ip->d, sizeof(struct dinode));
  bwrite(bp);
  brelse(bp);
}

struct inode *iget(u32 inum) {
  struct inode *empty = 0;
  if (inum == 0 || inum >= sb.inode_count) return 0;
  for (int i = 0; i < NINODE; i++) {
    struct inode *ip = &inodes[i];
    if (ip->ref > 0 && ip->inum == inum) {
      ip->ref++;
      return ip;
    }
    if (!empty && ip->ref == 0) empty = ip;
  }
  if (!empty) panic("iget: no inodes");
  empty->inum = inum;
  empty->ref = 1;
  empty->valid = 0;
  iload(empty);
  return empty;
}

struct inode *idup(struct inode *ip) {
  if (ip) ip->ref++;
  return ip;
}

static u32 ialloc(u16 type) {
  for (u32 inum = 1; inum < sb.inode_count; inum++) {
    struct buf *bp = bread(sb.inode_start + inum / IPB);
    struct dinode *dip = (struct dinode *)(bp->data + (inum % IPB) * sizeof(struct dinode));
    if (dip->type == 0) {
      memset(dip, 0, sizeof *dip);
      dip->type = type;
      bwrite(bp);
      brelse(bp);
      return inum;
    }
    brelse(bp);
  }
  return 0;
}

/* Block number of file block bn; allocated (zeroed) when asked; 0 = hole or disk full. */
static u32 bmap(struct inode *ip, u32 bn, int alloc) {
  if (bn < NDIRECT) {
    if (!ip->d.addrs[bn] && alloc) {
      ip->d.addrs[bn] = balloc();
      iupdate(ip);
    }
    return ip->d.addrs[bn];
  }
  bn -= NDIRECT;
  if (bn >= NINDIRECT) return 0;
  if (!ip->d.addrs[NDIRECT]) {
    if (!alloc) return 0;
    if (!(ip->d.addrs[NDIRECT] = balloc())) return 0;
    iupdate(ip);
  }
  struct buf *bp = bread(ip->d.addrs[NDIRECT]);
  u32 *a = (u32 *)bp->data, b = a[bn];
  if (!b && alloc && (b = balloc())) {
    a[bn] = b;
    bwrite(bp);
  }
  brelse(bp);
  return b;
}

void itrunc(struct inode *ip) {
  for (int i = 0; i < NDIRECT; i++)
    if (ip->d.addrs[i]) bfree(ip->d.addrs[i]), ip->d.addrs[i] = 0;
  if (ip->d.addrs[NDIRECT]) {
    struct buf *bp = bread(ip->d.addrs[NDIRECT]);
    u32 *a = (u32 *)bp->data;
    for (u32 i = 0; i < NINDIRECT; i++)
      if (a[i]) bfree(a[i]);
    brelse(bp);
    bfree(ip->d.addrs[NDIRECT]);
    ip->d.addrs[NDIRECT] = 0;
  }
  ip->d.size = 0;
  iupdate(ip);
}

void iput(struct inode *ip) {
  if (!ip) return;
  if (ip->ref == 1 && ip->d.nlink == 0 && ip->d.type != 0) {
    /* Last reference to an unlinked inode: free its blocks and the inode. */
    itrunc(ip);
    ip->d.type = 0;
    iupdate(ip);
  }
  ip->ref--;
}

static int copy_to(int user, u32 dst, const void *src, u32 n) {
  if (user) return copyout(myproc()->pagetable, dst, src, n);
  memcpy((void *)dst, src, n);
  return 0;
}

static int copy_from(int user, void *dst, u32 src, u32 n) {
  if (user) return copyin(myproc()->pagetable, dst, src, n);
  memcpy(dst, (const void *)src, n);
  return 0;
}

int readi(struct inode *ip, int user, u32 dst, u32 off, u32 n) {
  if (off >= ip->d.size) return 0;
  if (n > ip->d.size - off) n = ip->d.size - off;
  u32 done = 0;
  while (done < n) {
    u32 b = bmap(ip, off / BSIZE, 0), k = BSIZE - off % BSIZE;
    if (k > n - done) k = n - done;
    int bad;
    if (b) {
      struct buf *bp = bread(b);
      bad = copy_to(user, dst, bp->data + off % BSIZE, k);
      brelse(bp);
    } else {
      static const u8 zeros[BSIZE];
      bad = copy_to(user, dst, zeros, k);
    }
    if (bad) return -2;
    done += k, off += k, dst += k;
  }
  return done;
}

int writei(struct inode *ip, int user, u32 src, u32 off, u32 n) {
  if (fs_readonly) return -1;
  if (off > ip->d.size || off + n < off) return -1;
  if (off + n > (NDIRECT + NINDIRECT) * BSIZE) return -1;
  u32 done = 0;
  while (done < n) {
    u32 b = bmap(ip, off / BSIZE, 1), k = BSIZE - off % BSIZE;
    if (!b) break; /* disk full */
    if (k > n - done) k = n - done;
    struct buf *bp = bread(b);
    int bad = copy_from(user, bp->data + off % BSIZE, src, k);
    if (!bad) bwrite(bp);
    brelse(bp);
    if (bad) return -2;
    done += k, off += k, src += k;
  }
  if (off > ip->d.size) {
    ip->d.size = off;
    iupdate(ip);
  }
  return done;
}

/* ---- directories ---- */

/* The next used entry at or after *off; 0 at the end. */
int dir_next(struct inode *dp, u32 *off, struct dirent *de) {
  while (*off + sizeof *de <= dp->d.size) {
    if (readi(dp, 0, (u32)de, *off, sizeof *de) != sizeof *de) return 0;
    *off += sizeof *de;
    if (de->inum) return 1;
  }
  return 0;
}

static int name_eq(const char *a, const char *b) { return strncmp(a, b, DIRSIZ) == 0; }

static u32 dirlookup(struct inode *dp, const char *name, u32 *poff) {
  struct dirent de;
  u32 off = 0;
  if (dp->d.type != T_DIR) return 0;
  while (dir_next(dp, &off, &de)) {
    if (name_eq(de.name, name)) {
      if (poff) *poff = off - sizeof de;
      return de.inum;
    }
  }
  return 0;
}

static int dirlink(struct inode *dp, const char *name, u32 inum) {
  struct dirent de;
  u32 off;
  for (off = 0; off + sizeof de <= dp->d.size; off += sizeof de) {
    readi(dp, 0, (u32)&de, off, sizeof de);
    if (de.inum == 0) break;
  }
  memset(&de, 0, sizeof de);
  strncpy(de.name, name, DIRSIZ);
  de.inum = inum;
  return writei(dp, 0, (u32)&de, off, sizeof de) == sizeof de ? 0 : -1;
}

/* Copies the next path element into name; returns the rest of the path, or 0 if none. */
static const char *skipelem(const char *path, char *name, int *toolong) {
  while (*path == '/') path++;
  if (*path == 0) return 0;
  const char *s = path;
  while (*path != '/' && *path != 0) path++;
  u32 len = path - s;
  *toolong = len > DIRSIZ - 1;
  if (len > DIRSIZ - 1) len = DIRSIZ - 1;
  memcpy(name, s, len);
  name[len] = 0;
  while (*path == '/') path++;
  return path;
}

static struct inode *namex(const char *path, int parent, char *name) {
  struct inode *ip = *path == '/' || !myproc() ? iget(sb.root_inode) : idup(myproc()->cwd);
  int toolong;
  while ((path = skipelem(path, name, &toolong)) != 0) {
    if (toolong || ip->d.type != T_DIR) {
      iput(ip);
      return 0;
    }
    if (parent && *path == 0) return ip;
    u32 inum = dirlookup(ip, name, 0);
    iput(ip);
    if (!inum) return 0;
    ip = iget(inum);
  }
  if (parent) {
    iput(ip);
    return 0;
  }
  return ip;
}

struct inode *namei(const char *path) {
  char name[DIRSIZ];
  return namex(path, 0, name);
}

struct inode *nameiparent(const char *path, char *name) { return namex(path, 1, name); }

struct inode *create(const char *path, int type) {
  char name[DIRSIZ];
  struct inode *dp = nameiparent(path, name), *ip;
  if (!dp) return 0;
  u32 inum = dirlookup(dp, name, 0);
  if (!inum && fs_readonly) {
    iput(dp);
    return 0;
  }
  if (inum) {
    iput(dp);
    ip = iget(inum);
    if (type == T_FILE && ip->d.type == T_FILE) return ip;
    iput(ip);
    return 0;
  }
  if (!(inum = ialloc(type))) {
    iput(dp);
    return 0;
  }
  ip = iget(inum);
  ip->d.nlink = type == T_DIR ? 2 : 1;
  iupdate(ip);
  if (type == T_DIR) {
    if (dirlink(ip, ".", inum) < 0 || dirlink(ip, "..", dp->inum) < 0) goto fail;
  }
  if (dirlink(dp, name, inum) < 0) goto fail;
  if (type == T_DIR) {
    dp->d.nlink++;
    iupdate(dp);
  }
  iput(dp);
  return ip;
fail:
  ip->d.nlink = 0;
  iput(ip);
  iput(dp);
  return 0;
}

int fs_unlink(const char *path) {
  char name[DIRSIZ];
  if (fs_readonly) return -1;
  struct inode *dp = nameiparent(path, name);
  if (!dp) return -1;
  u32 off, inum;
  if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || !(inum = dirlookup(dp, name, &off))) {
    iput(dp);
    return -1;
  }
  struct inode *ip = iget(inum);
  if (ip->d.type == T_DIR) {
    struct dirent de;
    u32 o = 0;
    while (dir_next(ip, &o, &de)) {
      if (strcmp(de.name, ".") != 0 && strcmp(de.name, "..") != 0) {
        iput(ip);
        iput(dp);
        return -1; /* not empty */
      }
    }
  }
  struct dirent zero = {0};
  writei(dp, 0, (u32)&zero, off, sizeof zero);
  if (ip->d.type == T_DIR) {
    dp->d.nlink--;
    iupdate(dp);
    ip->d.nlink = 0;
  } else {
    ip->d.nlink--;
  }
  iupdate(ip);
  iput(ip);
  iput(dp);
  return 0;
}

void fs_sync(void) { virtio_blk_flush(); }

int fs_init(void) {
  struct buf *bp = bread(0);
  memcpy(&sb, bp->data, sizeof sb);
  brelse(bp);
  if (sb.magic != RVFS_MAGIC || sb.version != 1 || sb.block_size != BSIZE || sb.root_inode == 0) {
    kprintf("rvfs: no file system on the disk (magic 0x%08x)\n", sb.magic);
    return -1;
  }
  struct inode *root = iget(sb.root_inode);
  int ok = root && root->d.type == T_DIR;
  iput(root);
  if (!ok) {
    kprintf("rvfs: root inode %u is not a directory\n", sb.root_inode);
    return -1;
  }
  fs_readonly = virtio_blk_ro;
  kprintf("rvfs: %u blocks (%u free), %u inodes%s\n", sb.total_blocks, fs_free_blocks(), sb.inode_count,
          fs_readonly ? ", read-only" : "");
  return 0;
}
