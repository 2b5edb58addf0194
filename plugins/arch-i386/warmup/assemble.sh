#!/bin/sh
# Assembles warmup.s and prints it as base64: `./assemble.sh` at 0x1000 (src/warmup-code.ts's CODE), `./assemble.sh high`
# 0xc0000000 higher, its data, stack and IDT too: it differs only in its absolute addresses' top bytes, whose offsets
# src/warmup-code.ts keeps (ADDRESS_TOPS; test/unit/arch-i386/warmup.test.ts compares both builds).
set -e
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
high=0
[ "$1" = high ] && high=0xc0000000
llvm-mc -triple=i386 -filetype=obj --defsym=DATA=$((high + 0x8000)) --defsym=STACK=$((high + 0xf000)) --defsym=IDT=$((high + 0x800)) \
  "$(dirname "$0")/warmup.s" -o "$dir/w.o"
text=$(printf '0x%x' $((high + 0x1000)))
ld -m elf_i386 -Ttext="$text" -e "$text" --oformat binary "$dir/w.o" -o "$dir/w.bin"
base64 -w0 "$dir/w.bin"
