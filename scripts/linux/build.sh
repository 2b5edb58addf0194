#!/usr/bin/env bash
# Builds a small Linux 6.1 for one rvos board from Debian's linux-source-6.1 with Debian's cross gcc,
# into a cache folder outside the repository. Called by scripts/linux-TARGET/build.sh with that
# folder's target.conf (arch, cross compiler, packages, config fragment, images to keep):
#   ${RVOS_LINUX_CACHE:-${XDG_CACHE_HOME:-~/.cache}/rvos/linux-TARGET}/<key>/
#     the kernel image(s)    as target.conf's `images` name them (Image + DTB, bzImage)
#     initramfs.cpio         an uncompressed initramfs holding /init (init.c here)
#     init                   /init itself (static, no libc)
#     vmlinux                the kernel ELF with symbols (debugging)
#     config                 the kernel's .config
#     VERSION                linux-source package version, gcc version
# <key> is a hash of the recipe's files and the source/toolchain versions: a second run with the
# same inputs is instant, and the folder's `current` link names the last build.
#
# Never fails (CI must not): when something is missing it says why and exits 0, and the tests skip
# themselves. --install (as root) first installs the Debian packages it needs. --print prints the
# build folder (empty when there is none) and nothing else.
set -uo pipefail

shared=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
conf=$1
shift
here=$(cd "$(dirname "$conf")" && pwd)
# target.conf sets: target, arch, cross, packages (array), config (file in $here), make_targets,
# images (paths under the object folder's arch/$arch/boot), init_cflags.
# shellcheck source=/dev/null
. "$conf"
cache="${RVOS_LINUX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rvos/linux-$target}"
src_tar=/usr/src/linux-source-6.1.tar.xz

unavailable() {
  echo "linux-$target: $*; the $target Linux tests will be skipped" >&2
  exit 0
}
log() { echo "linux-$target: $*" >&2; }

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
  cat "$shared/build.sh" "$conf" "$here/$config" "$shared/init.c" "$shared/initramfs.list"
}
key=$(key_inputs | sha256sum | cut -c1-16)
out="$cache/$key"

first_image=$(basename "${images[0]}")
if [ "${1:-}" = --print ]; then
  [ -f "$out/$first_image" ] && echo "$out"
  exit 0
fi
if [ -f "$out/$first_image" ] && [ -f "$out/initramfs.cpio" ]; then
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
kmake() { make -s -C "$src" O="$obj" ARCH="$arch" CROSS_COMPILE="$cross" -j"$jobs" "$@"; }

log "configuring (allnoconfig with tinyconfig's fragments + $config)"
# allnoconfig with every fragment as KCONFIG_ALLCONFIG rather than tinyconfig then a merge: a merge
# ends in olddefconfig, which gives the options that the fragment makes visible their defaults (TTY
# brought VT, input, PS/2 mice, HID, PTYs...); allnoconfig says no to all of them.
cat "$src/kernel/configs/tiny-base.config" "$src/kernel/configs/tiny.config" "$here/$config" >"$work/all.config"
kmake KCONFIG_ALLCONFIG="$work/all.config" allnoconfig >/dev/null || unavailable "make allnoconfig failed"
# Every option of the fragment must have survived (a missing dependency drops it silently).
while IFS= read -r line; do
  case "$line" in
    CONFIG_*=*) grep -qx "$line" "$obj/.config" || unavailable "$config: $line did not stick" ;;
    "# CONFIG_"*" is not set")
      name=${line#\# } name=${name%% *}
      grep -q "^$name=" "$obj/.config" && unavailable "$config: $name is set (selected by another option)" ;;
  esac
done <"$here/$config"

log "building $make_targets ($jobs jobs)"
# shellcheck disable=SC2086
kmake $make_targets >"$work/make.log" 2>&1 ||
  { tail -n 30 "$work/make.log" >&2; unavailable "the kernel build failed"; }

log "building /init and the initramfs"
# shellcheck disable=SC2086
"${cross}gcc" -static -nostdlib -ffreestanding -fno-stack-protector -fno-pie -no-pie -O2 $init_cflags \
  -Wall -Wextra -Wl,--build-id=none -Wl,-e,_start -o "$work/init" "$shared/init.c" || unavailable "building init failed"
"${cross}strip" "$work/init"
sed "s|@INIT@|$work/init|" "$shared/initramfs.list" >"$work/initramfs.list"
"$obj/usr/gen_init_cpio" -t 0 "$work/initramfs.list" >"$work/initramfs.cpio" || unavailable "gen_init_cpio failed"

mkdir -p "$out"
for image in "${images[@]}"; do cp "$obj/arch/$arch/boot/$image" "$out/"; done
cp "$work/initramfs.cpio" "$work/init" "$out/"
cp "$obj/.config" "$out/config"
cp "$obj/vmlinux" "$out/vmlinux" # symbols for debugging (the images have no kallsyms)
{
  echo "linux-source-6.1 $(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null)"
  "${cross}gcc" --version | head -n 1
} >"$out/VERSION"
ln -sfn "$key" "$cache/current"
log "built in $(($(date +%s) - started)) s: $out"
