/* System calls: raspi3b's numbers (../../raspi3b/user/abi.h), through int 0x80 with the number
 * in eax, arguments in ebx, ecx, edx and the result in eax. */
#ifndef PC_ABI_H
#define PC_ABI_H
#include "../../raspi3b/user/abi.h"
#define SYS_TICKS 12 /* ticks() -> PIT ticks (100 Hz) since the kernel enabled them */
#endif
