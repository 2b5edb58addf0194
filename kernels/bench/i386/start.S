/* Entry of the i386 bench guests, booted as a Multiboot 1 kernel (QEMU's -kernel, rvos' pc board):
 * the loader enters _start in flat 32-bit protected mode with paging and interrupts off. Take a
 * stack, zero .bss, run main() and end with its return value. */
  .section .multiboot, "a"
  .p2align 2
  .long 0x1badb002            /* magic */
  .long 0                     /* flags: nothing asked of the loader (ELF load) */
  .long -0x1badb002           /* checksum: magic + flags + checksum = 0 */

  .text
  .globl _start
_start:
  mov $__stack_top, %esp
  cld
  mov $__bss_start, %edi
  mov $__bss_end, %ecx
  sub %edi, %ecx
  xor %eax, %eax
  rep stosb
  call main
  push %eax
  call bench_exit
