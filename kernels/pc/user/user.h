/* What pc user programs see: raspi3b's user.h (the same calls; its AArch64 counter helpers are
 * not used here), plus ticks(). */
#ifndef PC_USER_H
#define PC_USER_H
#include "../../raspi3b/user/user.h"
unsigned ticks(void);
#endif
