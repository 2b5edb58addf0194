/* User program entry: a0 = argc, a1 = argv (set by exec); main's return value goes to exit(). */
    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    call main
    call exit
1:  j 1b
