/* Entry of every user program: main(argc, argv) with x0/x1 as the kernel set them up, then
 * exit with its result. */
  .section .text.start, "ax"
  .globl _start
_start:
  bl main
  bl exit
