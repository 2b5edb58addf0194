/* Constants shared by the firmware's assembly, C and linker script. */
#ifndef LAYOUT_H
#define LAYOUT_H

#define MAX_HARTS 32        /* hart IDs 0..31: one hart mask word on RV32 */
#define STACK_SHIFT 12      /* 4 KiB M-mode stack per hart */
#define STACK_SIZE (1 << STACK_SHIFT)
#define TRAP_FRAME 128      /* struct regs: x0..x31 */

#endif
