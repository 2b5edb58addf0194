#!/usr/bin/env bash
# Fetches Debian's U-Boot for the Raspberry Pi (package u-boot-rpi, arm64) into a cache folder
# outside the repository: $RVOS_UBOOT_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/rvos/u-boot-rpi.
# The cache then holds rpi_3/u-boot.bin (the one QEMU's raspi3b runs), rpi_4/, rpi_arm64/ and
# VERSION (the Debian package version). The binary is never committed: it comes from Debian.
#
# Never fails: when the package cannot be had (no apt, not root, no network) it says why and exits
# 0, and the U-Boot tests skip themselves. `--refresh` downloads again even when cached.
set -uo pipefail

cache="${RVOS_UBOOT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rvos/u-boot-rpi}"
unavailable() {
  echo "fetch-u-boot-rpi: $*; the U-Boot tests will be skipped" >&2
  exit 0
}

if [ -f "$cache/rpi_3/u-boot.bin" ] && [ "${1:-}" != --refresh ]; then
  echo "fetch-u-boot-rpi: cached in $cache (u-boot-rpi $(cat "$cache/VERSION" 2>/dev/null))"
  exit 0
fi
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || unavailable "apt-get/dpkg-deb not found"

root=$([ "$(id -u)" = 0 ] && echo yes || echo no)
# The arm64 package index is needed to download an arm64 package on another architecture.
if [ "$(dpkg --print-architecture)" != arm64 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
  [ "$root" = yes ] || unavailable "arm64 is not a dpkg architecture here (as root: dpkg --add-architecture arm64 && apt-get update)"
  dpkg --add-architecture arm64 && apt-get update -qq || unavailable "could not add arm64 to dpkg/apt"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# As root, apt drops to the _apt user to download, which cannot write into a 0700 mktemp folder.
sandbox=()
[ "$root" = yes ] && sandbox=(-o APT::Sandbox::User=root)
download() { (cd "$tmp" && apt-get download -qq "${sandbox[@]}" u-boot-rpi:arm64); }
if ! download; then
  # A stale index names a version the mirror no longer has: refresh it once (root only).
  [ "$root" = yes ] && apt-get update -qq && download || unavailable "apt-get download u-boot-rpi:arm64 failed"
fi

deb=$(ls "$tmp"/u-boot-rpi_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || unavailable "no u-boot-rpi .deb was downloaded"
dpkg-deb -x "$deb" "$tmp/x" || unavailable "dpkg-deb -x failed"
[ -f "$tmp/x/usr/lib/u-boot/rpi_3/u-boot.bin" ] || unavailable "the package has no usr/lib/u-boot/rpi_3/u-boot.bin"

mkdir -p "$cache"
cp -r "$tmp/x/usr/lib/u-boot/." "$cache/"
dpkg-deb -f "$deb" Version >"$cache/VERSION"
echo "fetch-u-boot-rpi: u-boot-rpi $(cat "$cache/VERSION") in $cache"
