/* rvfs, writing: `write` (create or replace a file), `mkdir`, `rm` (a file or an empty folder).
 * Every change goes straight to the card (read-modify-write of 1 KiB blocks, CMD25 for two SD
 * blocks): the bitmap, then the data, then the inode, then the directory entry. Directories use
 * direct blocks only (384 entries). No crash consistency: a teaching file system. */
#include "fs.h"

static uint32_t meta[FS_BLOCK / 4]; /* bitmap and inode blocks */
static uint32_t data[FS_BLOCK / 4]; /* file and directory blocks */
static uint32_t ind[NINDIRECT];     /* an indirect block */

static int rd(uint32_t bno, uint32_t *b) { return sd_read(bno * 2, 2, b); }
static int wr(uint32_t bno, const uint32_t *b) { return sd_write(bno * 2, 2, b); }

static int write_inode(uint32_t inum, const struct inode *ip) {
  uint32_t bno = fs_sb.inode_start + inum / 16;
  if (!rd(bno, meta)) return 0;
  const uint32_t *src = (const uint32_t *)ip;
  for (unsigned i = 0; i < 16; i++) meta[(inum % 16) * 16 + i] = src[i];
  return wr(bno, meta);
}

/* Bit b of the bitmap: byte b / 8, bit b % 8, i.e. bit b % 32 of little-endian word b / 32. */
static uint32_t alloc_block(void) {
  for (uint32_t i = 0; i < fs_sb.bitmap_blocks; i++) {
    if (!rd(fs_sb.bitmap_start + i, meta)) return 0;
    for (uint32_t w = 0; w < FS_BLOCK / 4; w++) {
      if (meta[w] == 0xffffffffu) continue;
      uint32_t bit = 0;
      while (meta[w] >> bit & 1) bit++;
      uint32_t b = i * FS_BLOCK * 8 + w * 32 + bit;
      if (b >= fs_sb.total_blocks) return 0;
      meta[w] |= 1u << bit;
      if (!wr(fs_sb.bitmap_start + i, meta)) return 0;
      return b;
    }
  }
  return 0;
}

static void free_block(uint32_t b) {
  uint32_t bno = fs_sb.bitmap_start + b / (FS_BLOCK * 8);
  if (b < fs_sb.data_start || !rd(bno, meta)) return;
  meta[(b % (FS_BLOCK * 8)) / 32] &= ~(1u << (b % 32));
  wr(bno, meta);
}

static uint32_t alloc_inode(uint16_t type, uint16_t nlink, struct inode *ip) {
  for (uint32_t inum = 1; inum < fs_sb.inode_count; inum++) {
    if (inum % 16 == 0 || inum == 1) {
      if (!rd(fs_sb.inode_start + inum / 16, meta)) return 0;
    }
    if ((meta[(inum % 16) * 16] & 0xffff) != T_FREE) continue;
    uint32_t *w = (uint32_t *)ip;
    for (unsigned i = 0; i < 16; i++) w[i] = 0;
    ip->type = type;
    ip->nlink = nlink;
    return write_inode(inum, ip) ? inum : 0;
  }
  return 0;
}

static void free_blocks(struct inode *ip) {
  for (unsigned i = 0; i < NDIRECT; i++)
    if (ip->direct[i]) free_block(ip->direct[i]), ip->direct[i] = 0;
  if (ip->indirect && rd(ip->indirect, ind)) {
    for (unsigned i = 0; i < NINDIRECT; i++)
      if (ind[i]) free_block(ind[i]);
    free_block(ip->indirect);
  }
  ip->indirect = 0;
  ip->size = 0;
}

/* Replaces the file's contents with len bytes. */
static int set_contents(uint32_t inum, struct inode *ip, const char *src, uint32_t len) {
  free_blocks(ip);
  if (len > (NDIRECT + NINDIRECT) * FS_BLOCK) return 0;
  for (unsigned i = 0; i < NINDIRECT; i++) ind[i] = 0;
  for (uint32_t off = 0, n = 0; off < len; off += FS_BLOCK, n++) {
    uint32_t b = alloc_block();
    if (!b) return 0;
    char *d = (char *)data;
    for (uint32_t i = 0; i < FS_BLOCK; i++) d[i] = off + i < len ? src[off + i] : 0;
    if (!wr(b, data)) return 0;
    if (n < NDIRECT) ip->direct[n] = b;
    else ind[n - NDIRECT] = b;
  }
  if (len > NDIRECT * FS_BLOCK) {
    if (!(ip->indirect = alloc_block()) || !wr(ip->indirect, ind)) return 0;
  }
  ip->size = len;
  return write_inode(inum, ip);
}

static void set_name(struct dirent *e, uint32_t inum, const char *name, unsigned n) {
  e->inum = inum;
  for (unsigned i = 0; i < NAME_MAX; i++) e->name[i] = i < n ? name[i] : 0;
}

static int name_is(const struct dirent *e, const char *name, unsigned n) {
  for (unsigned i = 0; i < n; i++)
    if (e->name[i] != name[i]) return 0;
  return n == NAME_MAX || !e->name[n];
}

/* Adds name -> inum to the directory: in a free slot, else at its end. */
static int dir_add(uint32_t dinum, struct inode *dp, const char *name, unsigned n, uint32_t inum) {
  for (uint32_t off = 0; off < dp->size; off += FS_BLOCK) {
    uint32_t bno = dp->direct[off / FS_BLOCK];
    if (!bno || !rd(bno, data)) return 0;
    struct dirent *e = (struct dirent *)data;
    for (uint32_t k = 0; k < FS_BLOCK / DIRENT_SIZE && off + k * DIRENT_SIZE < dp->size; k++)
      if (!e[k].inum) return set_name(&e[k], inum, name, n), wr(bno, data);
  }
  uint32_t off = dp->size;
  if (off / FS_BLOCK >= NDIRECT) return 0;
  uint32_t bno = dp->direct[off / FS_BLOCK];
  if (!bno) {
    if (!(bno = alloc_block())) return 0;
    for (unsigned i = 0; i < FS_BLOCK / 4; i++) data[i] = 0;
    dp->direct[off / FS_BLOCK] = bno;
  } else if (!rd(bno, data)) {
    return 0;
  }
  set_name((struct dirent *)((char *)data + off % FS_BLOCK), inum, name, n);
  dp->size += DIRENT_SIZE;
  return wr(bno, data) && write_inode(dinum, dp);
}

/* Clears the entry of name; with entries_left, counts the other entries (for rmdir). */
static int dir_remove(struct inode *dp, const char *name, unsigned n) {
  for (uint32_t off = 0; off < dp->size; off += FS_BLOCK) {
    uint32_t bno = dp->direct[off / FS_BLOCK];
    if (!bno || !rd(bno, data)) return 0;
    struct dirent *e = (struct dirent *)data;
    for (uint32_t k = 0; k < FS_BLOCK / DIRENT_SIZE && off + k * DIRENT_SIZE < dp->size; k++)
      if (e[k].inum && name_is(&e[k], name, n)) return set_name(&e[k], 0, "", 0), wr(bno, data);
  }
  return 0;
}

static int dir_is_empty(const struct inode *dp) {
  for (uint32_t off = 0; off < dp->size; off += FS_BLOCK) {
    if (!dp->direct[off / FS_BLOCK] || !rd(dp->direct[off / FS_BLOCK], data)) return 0;
    const struct dirent *e = (const struct dirent *)data;
    for (uint32_t k = 0; k < FS_BLOCK / DIRENT_SIZE && off + k * DIRENT_SIZE < dp->size; k++)
      if (e[k].inum && !name_is(&e[k], ".", 1) && !name_is(&e[k], "..", 2)) return 0;
  }
  return 1;
}

/* Splits path into its parent folder (looked up) and last name; 0 if the parent is missing or
 * the name is not valid. */
static uint32_t parent_of(const char *path, struct inode *dp, const char **name, unsigned *n) {
  static char parent[96];
  unsigned len = 0;
  while (path[len] && len < sizeof parent - 1) parent[len] = path[len], len++;
  if (path[len]) return 0;
  while (len > 1 && parent[len - 1] == '/') len--; /* "docs/" is "docs" */
  unsigned start = 0;
  for (unsigned i = 0; i < len; i++)
    if (parent[i] == '/') start = i + 1;
  parent[start] = 0; /* "" (the root) or "dir/" */
  *name = path + start;
  *n = len - start;
  if (*n == 0 || *n >= NAME_MAX || (*n == 1 && **name == '.') || (*n == 2 && (*name)[0] == '.' && (*name)[1] == '.'))
    return 0;
  uint32_t dinum = fs_lookup(parent, dp);
  return dinum && dp->type == T_DIR ? dinum : 0;
}

int fs_write_file(const char *path, const char *text, unsigned len) {
  struct inode dp, ip;
  const char *name;
  unsigned n;
  uint32_t dinum = parent_of(path, &dp, &name, &n);
  if (!dinum) return -1;
  uint32_t inum = fs_lookup(path, &ip);
  if (inum && ip.type != T_FILE) return -1;
  if (!inum) {
    if (!(inum = alloc_inode(T_FILE, 1, &ip)) || !dir_add(dinum, &dp, name, n, inum)) return -1;
  }
  return set_contents(inum, &ip, text, len) ? (int)len : -1;
}

int fs_mkdir(const char *path) {
  struct inode dp, ip;
  const char *name;
  unsigned n;
  uint32_t dinum = parent_of(path, &dp, &name, &n);
  if (!dinum || fs_lookup(path, &ip)) return -1;
  uint32_t inum = alloc_inode(T_DIR, 2, &ip);
  if (!inum) return -1;
  struct dirent ents[2];
  set_name(&ents[0], inum, ".", 1);
  set_name(&ents[1], dinum, "..", 2);
  if (!set_contents(inum, &ip, (const char *)ents, sizeof ents)) return -1;
  if (!fs_read_inode(dinum, &dp) || !dir_add(dinum, &dp, name, n, inum)) return -1;
  dp.nlink++; /* the new folder's ".." */
  return write_inode(dinum, &dp) ? 0 : -1;
}

int fs_remove(const char *path) {
  struct inode dp, ip;
  const char *name;
  unsigned n;
  uint32_t dinum = parent_of(path, &dp, &name, &n);
  uint32_t inum = dinum ? fs_lookup(path, &ip) : 0;
  if (!inum || (ip.type == T_DIR && !dir_is_empty(&ip))) return -1;
  if (!dir_remove(&dp, name, n)) return -1;
  free_blocks(&ip);
  if (ip.type == T_DIR) {
    dp.nlink--;
    write_inode(dinum, &dp);
  }
  ip.type = T_FREE;
  ip.nlink = 0;
  return write_inode(inum, &ip) ? 0 : -1;
}
