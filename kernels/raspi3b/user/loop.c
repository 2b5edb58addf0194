/* loop: runs forever without a system call (for `loop &`, ps and kill). */
int main(void) {
  for (;;) __asm__ volatile("");
}
