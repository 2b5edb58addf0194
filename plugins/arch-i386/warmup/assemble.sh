#!/bin/sh
# Assembles warmup.s (32-bit, linked at 0x1000) and prints it as base64 (src/warmup-code.ts's CODE).
set -e
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
llvm-mc -triple=i386 -filetype=obj "$(dirname "$0")/warmup.s" -o "$dir/w.o"
ld -m elf_i386 -Ttext=0x1000 -e 0x1000 --oformat binary "$dir/w.o" -o "$dir/w.bin"
base64 -w0 "$dir/w.bin"
