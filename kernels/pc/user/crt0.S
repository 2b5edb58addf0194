/* Entry of every user program: the kernel leaves argc and argv above esp for main. */
  .section .text.start, "ax"
  .globl _start
_start:
  call main
  push %eax
  call exit
