/* Entry from a multiboot loader (protected mode, paging off, EAX magic, EBX info), the
 * interrupt entry stubs and the trap return path. */
  .section .multiboot, "a"
  /* Multiboot 1 (QEMU -kernel): page-aligned modules, memory information. */
  .balign 4
mb1_header:
  .long 0x1badb002
  .long 0x00000003
  .long -(0x1badb002 + 0x00000003)
  /* Multiboot 2 (GRUB's multiboot2): architecture 0 (i386), only the end tag. */
  .balign 8
mb2_header:
  .long 0xe85250d6
  .long 0
  .long mb2_end - mb2_header
  .long -(0xe85250d6 + 0 + (mb2_end - mb2_header))
  .balign 8
  .short 6, 0           /* module alignment tag: page-aligned modules */
  .long 8
  .short 0, 0           /* end tag */
  .long 8
mb2_end:

  .text
  .globl _start
_start:
  cli
  cld
  mov $stack_top, %esp
  push %ebx
  push %eax
  call kmain
1: hlt
  jmp 1b

/* Exceptions without an error code push a zero, so every frame has the same shape. */
.macro isr_noerr n
  .globl isr\n
isr\n: push $0
  push $\n
  jmp isr_common
.endm
.macro isr_err n
  .globl isr\n
isr\n: push $\n
  jmp isr_common
.endm

isr_noerr 0
isr_noerr 1
isr_noerr 2
isr_noerr 3
isr_noerr 4
isr_noerr 5
isr_noerr 6
isr_noerr 7
isr_err 8
isr_noerr 9
isr_err 10
isr_err 11
isr_err 12
isr_err 13
isr_err 14
isr_noerr 15
isr_noerr 16
isr_err 17
isr_noerr 18
isr_noerr 19
.irp n, 20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,128
isr_noerr \n
.endr

/* struct frame (pc.h). trap() returns the frame to resume: another process' frame (on its own
 * kernel stack) switches to it. */
isr_common:
  pusha
  push %ds
  push %es
  push %fs
  push %gs
  mov $0x10, %ax
  mov %ax, %ds
  mov %ax, %es
  mov %ax, %fs
  mov %ax, %gs
  push %esp
  call trap
  mov %eax, %esp
  .globl trap_return
trap_return:
  pop %gs
  pop %fs
  pop %es
  pop %ds
  popa
  add $8, %esp
  iret

/* gdt_load(&pointer): reload every segment register (CS through a far return). */
  .globl gdt_load
gdt_load:
  mov 4(%esp), %eax
  lgdt (%eax)
  mov $0x10, %ax
  mov %ax, %ds
  mov %ax, %es
  mov %ax, %fs
  mov %ax, %gs
  mov %ax, %ss
  pop %eax
  push $0x08
  push %eax
  lret

  .bss
  .balign 16
  .space 16384
  .globl stack_top
stack_top:
