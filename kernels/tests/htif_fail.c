/* htif_fail: the htif program with exit code 3 ((3 << 1) | 1 written to tohost). */
#define HTIF_EXIT_CODE 3
#include "htif.c"
