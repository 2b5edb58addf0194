/* The system call interface between the kernel (proc.c) and user programs (ulib.c): SVC #0 with
 * the call number in x8, arguments in x0-x2, the result in x0 (negative: error). */
#ifndef ABI_H
#define ABI_H

#define SYS_WRITE 1     /* write(fd 1 or 2, buf, len) -> len */
#define SYS_EXIT 2      /* exit(code), does not return */
#define SYS_GETPID 3    /* getpid() -> pid */
#define SYS_YIELD 4     /* yield(): the next ready process runs */
#define SYS_SLEEP 5     /* sleep(ms): at least ms milliseconds, in timer ticks */
#define SYS_PREEMPTED 6 /* preempted() -> how often the timer took the CPU from this process */
#define SYS_SPAWN 7     /* spawn(name, argv) -> pid of a new process running /bin/name, or -1 */
#define SYS_WAIT 8      /* wait(pid of a child) -> its exit code (-1 if killed), or -1 */
#define SYS_OPEN 9      /* open(path) -> fd (3..6) of a file on the SD card, read-only, or -1 */
#define SYS_READ 10     /* read(fd, buf, len) -> bytes read, 0 at its end, -1 for a bad fd */
#define SYS_CLOSE 11    /* close(fd) -> 0 or -1 */

#endif
