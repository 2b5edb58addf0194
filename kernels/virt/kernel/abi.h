/* The system call interface, shared by the kernel and user programs (kernels/virt/user). */
#pragma once

/* ecall with a7 = number, arguments in a0..a5, result in a0 (negative = error). */
#define SYS_exit 1
#define SYS_fork 2
#define SYS_wait 3
#define SYS_exec 4
#define SYS_getpid 5
#define SYS_read 6
#define SYS_write 7
#define SYS_open 8
#define SYS_close 9
#define SYS_sbrk 10
#define SYS_sleep 11
#define SYS_yield 12
#define SYS_pipe 13
#define SYS_shm 14
#define SYS_readdir 15
#define SYS_fstat 16
#define SYS_mkdir 17
#define SYS_chdir 18
#define SYS_dup 19
#define SYS_procs 20
#define SYS_shutdown 21
#define SYS_uptime 22
#define SYS_meminfo 23
#define SYS_unlink 24
#define SYS_getppid 25
#define SYS_kill 26

/* open() flags */
#define O_RDONLY 0x000
#define O_WRONLY 0x001
#define O_RDWR 0x002
#define O_CREATE 0x100
#define O_TRUNC 0x200
#define O_APPEND 0x400

/* stat.type */
#define S_FILE 1
#define S_DIR 2
#define S_CONSOLE 3
#define S_PIPE 4

struct stat {
  int type;
  unsigned inum;
  unsigned size;
  unsigned nlink;
};

#define NAME_MAX 27
struct dirinfo {
  unsigned inum;
  int type;
  unsigned size;
  char name[NAME_MAX + 1];
};

struct procinfo {
  int pid;
  int ppid;
  int state; /* 1 embryo, 2 sleeping, 3 runnable, 4 running, 5 zombie */
  unsigned mem; /* bytes of user memory mapped */
  char name[16];
};

struct meminfo {
  unsigned total_pages;
  unsigned free_pages;
  unsigned page_size;
  unsigned free_blocks; /* file system */
};
