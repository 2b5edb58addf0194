#!/usr/bin/env bash
# Builds a small rv32 Linux 6.1 for the virt board (README.md here) with the shared recipe
# scripts/linux/build.sh and this folder's target.conf: Image, initramfs.cpio in
# ${RVOS_LINUX_CACHE:-~/.cache/rvos/linux-rv32}/<key>/. Options: --install, --print.
exec bash "$(dirname "${BASH_SOURCE[0]}")/../linux/build.sh" "$(dirname "${BASH_SOURCE[0]}")/target.conf" "$@"
