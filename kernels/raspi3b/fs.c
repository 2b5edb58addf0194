/* rvfs, reading (docs/disk-format.md, the virt OS's format; writing is fs_write.c): 1 KiB blocks (two SD blocks, read
 * with one CMD18), a superblock, inodes of 64 bytes (12 direct blocks + one indirect), and
 * directories of 32-byte entries. Paths are absolute or relative to the root. */
#include "fs.h"

struct superblock fs_sb;
static int mounted;
static uint32_t buf[FS_BLOCK / 4]; /* word-aligned: sd_read stores words */

static int read_block(uint32_t bno) { return sd_read(bno * 2, 2, buf); }

int fs_mount(void) {
  /* The superblock with two single-block reads (CMD17), the rest with CMD18. */
  if (!sd_read(0, 1, buf) || !sd_read(1, 1, (uint8_t *)buf + 512)) return 0;
  uint32_t *w = (uint32_t *)&fs_sb;
  for (unsigned i = 0; i < sizeof fs_sb / 4; i++) w[i] = buf[i];
  if (fs_sb.magic != RVFS_MAGIC || fs_sb.block_size != FS_BLOCK) {
    printf("fs: no rvfs file system on the card\n");
    return 0;
  }
  mounted = 1;
  printf("rvfs: %u blocks, %u inodes\n", fs_sb.total_blocks, fs_sb.inode_count);
  return 1;
}

int fs_read_inode(uint32_t inum, struct inode *ip) {
  if (inum == 0 || inum >= fs_sb.inode_count || !read_block(fs_sb.inode_start + inum / 16)) return 0;
  const uint32_t *src = buf + (inum % 16) * 16;
  uint32_t *dst = (uint32_t *)ip;
  for (unsigned i = 0; i < 16; i++) dst[i] = src[i];
  return ip->type == T_FILE || ip->type == T_DIR;
}

/* The disk block holding byte offset off of the file; 0 for a hole. */
static uint32_t block_of(const struct inode *ip, uint32_t off) {
  uint32_t n = off / FS_BLOCK;
  if (n < NDIRECT) return ip->direct[n];
  n -= NDIRECT;
  if (n >= FS_BLOCK / 4 || !ip->indirect || !read_block(ip->indirect)) return 0;
  return buf[n];
}

/* Calls fn(chunk, len, arg) over the file's bytes; 0 on a read error. */
static int read_file(const struct inode *ip, void (*fn)(const uint8_t *, unsigned, void *), void *arg) {
  for (uint32_t off = 0; off < ip->size; off += FS_BLOCK) {
    unsigned len = ip->size - off < FS_BLOCK ? ip->size - off : FS_BLOCK;
    uint32_t bno = block_of(ip, off);
    if (bno) {
      if (!read_block(bno)) return 0;
    } else {
      for (unsigned i = 0; i < FS_BLOCK / 4; i++) buf[i] = 0;
    }
    fn((const uint8_t *)buf, len, arg);
  }
  return 1;
}

struct find {
  const char *name;
  unsigned len;
  uint32_t inum;
};

static void find_entry(const uint8_t *chunk, unsigned len, void *arg) {
  struct find *f = arg;
  for (unsigned at = 0; at + 32 <= len && !f->inum; at += 32) {
    const struct dirent *d = (const struct dirent *)(chunk + at);
    if (!d->inum) continue;
    unsigned i = 0;
    while (i < f->len && i < NAME_MAX && d->name[i] == f->name[i]) i++;
    if (i == f->len && (i == NAME_MAX || !d->name[i])) f->inum = d->inum;
  }
}

/* The inode of a path ("/bin/hello", "bin/hello", "/", ""); 0 if it does not exist. */
uint32_t fs_lookup(const char *path, struct inode *ip) {
  uint32_t inum = fs_sb.root_inode;
  if (!mounted || !fs_read_inode(inum, ip)) return 0;
  while (*path) {
    while (*path == '/') path++;
    if (!*path) break;
    struct find f = {path, 0, 0};
    while (path[f.len] && path[f.len] != '/') f.len++;
    if (ip->type != T_DIR || !read_file(ip, find_entry, &f) || !f.inum || !fs_read_inode(f.inum, ip)) return 0;
    inum = f.inum;
    path += f.len;
  }
  return inum;
}

static void print_padded(const char *s, unsigned n, unsigned width) {
  unsigned i = 0;
  for (; i < n && s[i]; i++) uart_putc(s[i]);
  for (; i < width; i++) uart_putc(' ');
}

/* Entries are printed after the directory is read: printing an entry reads its inode, which
 * reuses the block buffer. */
#define LS_MAX 64
struct listing {
  unsigned n;
  struct dirent e[LS_MAX];
};

static void collect(const uint8_t *chunk, unsigned len, void *arg) {
  struct listing *l = arg;
  for (unsigned at = 0; at + 32 <= len; at += 32) {
    const struct dirent *d = (const struct dirent *)(chunk + at);
    if (d->inum && l->n < LS_MAX) {
      const uint32_t *src = (const uint32_t *)d;
      uint32_t *dst = (uint32_t *)&l->e[l->n++];
      for (unsigned i = 0; i < 8; i++) dst[i] = src[i];
    }
  }
}

/* As the virt OS's ls: name (20 columns), type, size. */
void fs_ls(const char *path) {
  static struct listing l;
  struct inode ip;
  if (!fs_lookup(path, &ip)) {
    printf("ls: %s: not found\n", path);
    return;
  }
  if (ip.type != T_DIR) {
    printf("%s\n", path);
    return;
  }
  l.n = 0;
  if (!read_file(&ip, collect, &l)) return;
  for (unsigned i = 0; i < l.n; i++) {
    struct inode e;
    if (!fs_read_inode(l.e[i].inum, &e)) continue;
    print_padded(l.e[i].name, NAME_MAX, 20);
    printf(" %s %6u\n", e.type == T_DIR ? "dir " : "file", e.size);
  }
}

struct copy {
  uint8_t *dst;
  unsigned max, n;
};

static void copy_chunk(const uint8_t *chunk, unsigned len, void *arg) {
  struct copy *c = arg;
  for (unsigned i = 0; i < len && c->n < c->max; i++) c->dst[c->n++] = chunk[i];
}

/* Reads a whole regular file into dst; its size, or -1 (missing, a directory, too big). */
int fs_read_all(const char *path, void *dst, unsigned max) {
  struct inode ip;
  if (!fs_lookup(path, &ip) || ip.type != T_FILE || ip.size > max) return -1;
  struct copy c = {dst, max, 0};
  return read_file(&ip, copy_chunk, &c) ? (int)c.n : -1;
}

int fs_mounted(void) { return mounted; }

/* Free blocks in the bitmap (for mem). */
unsigned fs_free_blocks(void) {
  unsigned used = 0;
  for (uint32_t i = 0; i < fs_sb.bitmap_blocks; i++) {
    if (!read_block(fs_sb.bitmap_start + i)) return 0;
    for (uint32_t b = 0; b < FS_BLOCK * 8 && i * FS_BLOCK * 8 + b < fs_sb.total_blocks; b++)
      used += buf[b / 32] >> (b % 32) & 1;
  }
  return fs_sb.total_blocks - used;
}

/* For open(): the inode of a regular file, 0 if it is missing or not a file. */
uint32_t fs_open(const char *path, uint32_t *size) {
  struct inode ip;
  uint32_t inum = fs_lookup(path, &ip);
  if (!inum || ip.type != T_FILE) return 0;
  *size = ip.size;
  return inum;
}

/* For read(): up to n bytes of file inum from offset off into dst; the count, -1 on error. */
int fs_read_at(uint32_t inum, uint32_t off, void *dst, unsigned n) {
  struct inode ip;
  if (!fs_read_inode(inum, &ip) || ip.type != T_FILE) return -1;
  if (off >= ip.size) return 0;
  if (n > ip.size - off) n = ip.size - off;
  uint8_t *out = dst;
  for (unsigned done = 0; done < n;) {
    uint32_t at = off + done, bno = block_of(&ip, at);
    unsigned chunk = FS_BLOCK - at % FS_BLOCK;
    if (chunk > n - done) chunk = n - done;
    if (bno && !read_block(bno)) return -1;
    for (unsigned i = 0; i < chunk; i++) out[done + i] = bno ? ((const uint8_t *)buf)[at % FS_BLOCK + i] : 0;
    done += chunk;
  }
  return (int)n;
}

int fs_is_dir(const char *path) {
  struct inode ip;
  return fs_lookup(path, &ip) && ip.type == T_DIR;
}
