/* VBAR_EL1 vector table: 16 entries of 0x80 bytes, 2 KiB aligned (Arm ARM D1.10.2). Groups:
 * current EL with SP_EL0, current EL with SP_ELx, lower EL AArch64, lower EL AArch32; in each,
 * Synchronous, IRQ, FIQ, SError. Every entry saves x0/x1, passes its index in x0 and joins
 * exc_common, which saves the rest of the frame, calls exc_handler(index, frame) and returns
 * to the frame it answers: the same one (possibly changed), or another process' (proc.c), whose
 * registers, ELR_EL1, SPSR_EL1 and SP_EL0 are restored. A frame from EL0 sits at the top of the
 * process' kernel stack, so the SP after restoring it is that stack's top again. */
#define FRAME_SIZE 272 /* x0-x30 (0..240), ELR_EL1 (248), SPSR_EL1 (256), SP_EL0 (264) */

.macro ventry index
  .balign 0x80
  sub sp, sp, #FRAME_SIZE
  stp x0, x1, [sp, #0]
  mov x0, #\index
  b exc_common
.endm

  .text
  .balign 0x800
  .globl vectors
vectors:
  .irp i, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
  ventry \i
  .endr

exc_common:
  stp x2, x3, [sp, #16]
  stp x4, x5, [sp, #32]
  stp x6, x7, [sp, #48]
  stp x8, x9, [sp, #64]
  stp x10, x11, [sp, #80]
  stp x12, x13, [sp, #96]
  stp x14, x15, [sp, #112]
  stp x16, x17, [sp, #128]
  stp x18, x19, [sp, #144]
  stp x20, x21, [sp, #160]
  stp x22, x23, [sp, #176]
  stp x24, x25, [sp, #192]
  stp x26, x27, [sp, #208]
  stp x28, x29, [sp, #224]
  mrs x1, elr_el1
  stp x30, x1, [sp, #240]
  mrs x1, spsr_el1
  mrs x2, sp_el0
  stp x1, x2, [sp, #256]
  mov x1, sp
  bl exc_handler
  mov sp, x0
  ldp x1, x2, [sp, #256]
  msr spsr_el1, x1
  msr sp_el0, x2
  ldp x30, x1, [sp, #240]
  msr elr_el1, x1
  ldp x28, x29, [sp, #224]
  ldp x26, x27, [sp, #208]
  ldp x24, x25, [sp, #192]
  ldp x22, x23, [sp, #176]
  ldp x20, x21, [sp, #160]
  ldp x18, x19, [sp, #144]
  ldp x16, x17, [sp, #128]
  ldp x14, x15, [sp, #112]
  ldp x12, x13, [sp, #96]
  ldp x10, x11, [sp, #80]
  ldp x8, x9, [sp, #64]
  ldp x6, x7, [sp, #48]
  ldp x4, x5, [sp, #32]
  ldp x2, x3, [sp, #16]
  ldp x0, x1, [sp, #0]
  add sp, sp, #FRAME_SIZE
  eret
