/* empty: powers off at once. test/bench/bench.ts times it to subtract QEMU's start-up cost. */
int main(void) { return 0; }
