#!/usr/bin/env bash
# Builds a small arm64 Linux 6.1 for the Raspberry Pi 3 from Debian's linux-source-6.1 with Debian's
# cross gcc, into a cache folder outside the repository:
#   ${RVOS_LINUX_CACHE:-${XDG_CACHE_HOME:-~/.cache}/rvos/linux-arm64}/<key>/
#     Image                  the kernel (arm64 boot protocol image)
#     bcm2837-rpi-3-b.dtb    the Pi 3 Model B device tree
#     initramfs.cpio         an uncompressed initramfs holding /init (init.c)
#     init                   /init itself (static, no libc)
#     vmlinux                the kernel ELF with symbols (debugging)
#     config                 the kernel's .config
#     VERSION                linux-source package version, gcc version
# <key> is a hash of this folder's files and the source/toolchain versions: a second run with the
# same inputs is instant, and the folder's `current` link names the last build.
#
# Never fails (CI must not): when something is missing it says why and exits 0, and the tests skip
# themselves. --install (as root) first installs the Debian packages it needs. --print prints the
# build folder (empty when there is none) and nothing else.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache="${RVOS_LINUX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rvos/linux-arm64}"
src_tar=/usr/src/linux-source-6.1.tar.xz
cross=aarch64-linux-gnu-
packages=(linux-source-6.1 gcc-aarch64-linux-gnu make flex bison bc libssl-dev libelf-dev xz-utils)

unavailable() {
  echo "linux-arm64: $*; the arm64 Linux tests will be skipped" >&2
  exit 0
}
log() { echo "linux-arm64: $*" >&2; }

if [ "${1:-}" = --install ]; then
  [ "$(id -u)" = 0 ] || unavailable "--install needs root"
  apt-get install -y -qq "${packages[@]}" >/dev/null || { apt-get update -qq && apt-get install -y -qq "${packages[@]}" >/dev/null; } ||
    unavailable "apt-get install ${packages[*]} failed"
  shift
fi

# The key: everything that decides the output.
key_inputs() {
  dpkg-query -W -f='${Version}\n' linux-source-6.1 2>/dev/null || echo no-linux-source
  "${cross}gcc" --version 2>/dev/null | head -n 1 || echo no-gcc
  cat "$here/build.sh" "$here/rpi3.config" "$here/init.c" "$here/initramfs.list"
}
key=$(key_inputs | sha256sum | cut -c1-16)
out="$cache/$key"

if [ "${1:-}" = --print ]; then
  [ -f "$out/Image" ] && echo "$out"
  exit 0
fi
if [ -f "$out/Image" ] && [ -f "$out/initramfs.cpio" ]; then
  log "cached in $out"
  exit 0
fi

[ -f "$src_tar" ] || unavailable "$src_tar not found (apt-get install linux-source-6.1, or run with --install as root)"
for tool in "${cross}gcc" make flex bison bc xz; do
  command -v "$tool" >/dev/null || unavailable "$tool not found (Debian packages: ${packages[*]})"
done

started=$(date +%s)
mkdir -p "$cache"
work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
jobs=$(nproc 2>/dev/null || echo 2)

log "unpacking $src_tar"
tar -xf "$src_tar" -C "$work" || unavailable "could not unpack $src_tar"
src=$(echo "$work"/linux-source-*)
obj="$work/obj"

# Fixed build identity, so the banner (and so the transcript) is the same on every machine.
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026' KBUILD_BUILD_USER=rvos KBUILD_BUILD_HOST=rvos KBUILD_BUILD_VERSION=1
kmake() { make -s -C "$src" O="$obj" ARCH=arm64 CROSS_COMPILE="$cross" -j"$jobs" "$@"; }

log "configuring (allnoconfig with tinyconfig's fragments + rpi3.config)"
# allnoconfig with every fragment as KCONFIG_ALLCONFIG rather than tinyconfig then a merge: a merge
# ends in olddefconfig, which gives the options that rpi3.config makes visible their defaults (TTY
# brought VT, input, PS/2 mice, HID, PTYs...); allnoconfig says no to all of them.
cat "$src/kernel/configs/tiny-base.config" "$src/kernel/configs/tiny.config" "$here/rpi3.config" >"$work/all.config"
kmake KCONFIG_ALLCONFIG="$work/all.config" allnoconfig >/dev/null || unavailable "make allnoconfig failed"
# Every option of the fragment must have survived (a missing dependency drops it silently).
while IFS= read -r line; do
  case "$line" in
    CONFIG_*=*) grep -qx "$line" "$obj/.config" || unavailable "rpi3.config: $line did not stick" ;;
    "# CONFIG_"*" is not set")
      name=${line#\# } name=${name%% *}
      grep -q "^$name=" "$obj/.config" && unavailable "rpi3.config: $name is set (selected by another option)" ;;
  esac
done <"$here/rpi3.config"

log "building Image and the Pi 3 device tree ($jobs jobs)"
kmake Image broadcom/bcm2837-rpi-3-b.dtb >"$work/make.log" 2>&1 ||
  { tail -n 30 "$work/make.log" >&2; unavailable "the kernel build failed"; }

log "building /init and the initramfs"
"${cross}gcc" -static -nostdlib -ffreestanding -fno-stack-protector -fno-pie -no-pie -O2 -mgeneral-regs-only \
  -Wall -Wextra -Wl,--build-id=none -Wl,-e,_start -o "$work/init" "$here/init.c" || unavailable "building init failed"
"${cross}strip" "$work/init"
sed "s|@INIT@|$work/init|" "$here/initramfs.list" >"$work/initramfs.list"
"$obj/usr/gen_init_cpio" -t 0 "$work/initramfs.list" >"$work/initramfs.cpio" || unavailable "gen_init_cpio failed"

mkdir -p "$out"
cp "$obj/arch/arm64/boot/Image" "$obj/arch/arm64/boot/dts/broadcom/bcm2837-rpi-3-b.dtb" "$work/initramfs.cpio" "$work/init" "$out/"
cp "$obj/.config" "$out/config"
cp "$obj/vmlinux" "$out/vmlinux" # symbols for debugging (the Image has no kallsyms)
{
  echo "linux-source-6.1 $(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null)"
  "${cross}gcc" --version | head -n 1
} >"$out/VERSION"
ln -sfn "$key" "$cache/current"
log "built in $(($(date +%s) - started)) s: $out"
