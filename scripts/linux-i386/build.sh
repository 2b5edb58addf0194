#!/usr/bin/env bash
# Builds a small i386 Linux 6.1 for the pc board (README.md here) with the shared recipe
# scripts/linux/build.sh and this folder's target.conf: bzImage, initramfs.cpio in
# ${RVOS_LINUX_CACHE:-~/.cache/rvos/linux-i386}/<key>/. Options: --install, --print.
exec bash "$(dirname "${BASH_SOURCE[0]}")/../linux/build.sh" "$(dirname "${BASH_SOURCE[0]}")/target.conf" "$@"
