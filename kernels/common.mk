# Shared build rules for rvos guest programs (included by tests/ and bench/ Makefiles).
# clang/ld.lld (LLVM 14 or newer); nothing else is needed.
KERNELS := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
LIB := $(KERNELS)/lib

CC := clang
LD := ld.lld
ARCHFLAGS := --target=riscv32-unknown-elf -march=rv32imac -mabi=ilp32
CFLAGS := $(ARCHFLAGS) -MMD -MP -ffreestanding -nostdlib -fno-builtin -O2 -mcmodel=medany -mno-relax \
  -Wall -Wextra -Wno-unused-parameter -g -fdebug-prefix-map=$(KERNELS)=kernels -I$(LIB) $(EXTRA_CFLAGS)
ASFLAGS := $(ARCHFLAGS) -MMD -MP -mno-relax -I$(LIB)
LDFLAGS := -T $(LIB)/link.ld --no-relax -nostdlib --build-id=none
