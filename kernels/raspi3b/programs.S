/* The user programs, embedded as ELF files (disk/bin/NAME): a table of
 * {name, start, end} ending with a zero name, read by exec.c. */
.macro program name
  .section .rodata.programs, "a"
  .balign 16
\name\()_elf: .incbin "disk/bin/\name"
\name\()_end:
  .section .rodata.program_names, "a"
\name\()_str: .asciz "\name"
  .section .rodata.program_table, "a"
  .quad \name\()_str, \name\()_elf, \name\()_end
.endm

  .section .rodata.program_table, "a"
  .balign 8
  .globl program_table
program_table:
  program hello
  program echo
  program sleep
  program spin
  program loop
  program badptr
  program badinsn
  program badstore
  .section .rodata.program_table, "a"
  .quad 0, 0, 0
