/* rvfs (docs/disk-format.md) as fs.c (reading) and fs_write.c (writing) share it. */
#ifndef FS_H
#define FS_H

#include "rpi.h"

#define FS_BLOCK 1024
#define RVFS_MAGIC 0x53465652u
#define T_FREE 0
#define T_FILE 1
#define T_DIR 2
#define NDIRECT 12
#define NINDIRECT (FS_BLOCK / 4)
#define NAME_MAX 28
#define DIRENT_SIZE 32

struct inode {
  uint16_t type, nlink;
  uint32_t size;
  uint32_t direct[NDIRECT];
  uint32_t indirect, reserved;
};

struct dirent {
  uint32_t inum;
  char name[NAME_MAX];
};

struct superblock {
  uint32_t magic, version, block_size, total_blocks, inode_count, bitmap_start, bitmap_blocks, inode_start,
      inode_blocks, data_start, root_inode;
};

extern struct superblock fs_sb;
int fs_read_inode(uint32_t inum, struct inode *ip);
uint32_t fs_lookup(const char *path, struct inode *ip); /* inode number, 0 if missing */

#endif
