#!/usr/bin/env bash
# Builds the small arm64 Linux 6.1 for the Raspberry Pi 3 (README.md here) with the shared recipe
# scripts/linux/build.sh and this folder's target.conf: Image, bcm2837-rpi-3-b.dtb, initramfs.cpio
# in ${RVOS_LINUX_CACHE:-~/.cache/rvos/linux-arm64}/<key>/. Options: --install, --print.
exec bash "$(dirname "${BASH_SOURCE[0]}")/../linux/build.sh" "$(dirname "${BASH_SOURCE[0]}")/target.conf" "$@"
