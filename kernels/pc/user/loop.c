/* loop: a CPU-bound loop for ever (run it with &, end it with kill). */
int main(void) {
  for (;;) {}
}
