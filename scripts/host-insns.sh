#!/bin/bash
# The host instructions one `rvos run` costs, counted by valgrind (cachegrind without its cache model): an A/B figure
# that the machine's load does not move, for VMs without performance counters where wall and CPU times of a busy
# 2-core machine are noise. V8 runs with --predictable (one thread: TurboFan and GC work on the main thread; fixed
# seeds), so the count is the run's whole CPU work and repeats within ~1 %; it counts TurboFan's compile work, which
# a real run does on another core, as run time. Needs valgrind (Debian package) and the built CLI (`npm run build`).
# The first run in a new cache folder writes V8's code cache: throw its figure away. ~15-40 s a run.
# Usage: scripts/host-insns.sh [-C cachedir] <rvos folder> <rvos run arguments...>
#   scripts/host-insns.sh -C /tmp/hi . run --board pc --kernel kernels/bench/build/bench-i386.elf --headless
cache=${TMPDIR:-/tmp}/rvos-host-insns-$$
if [ "$1" = -C ]; then cache=$2; shift 2; fi
dir=$1
shift
cd "$dir" || exit 2
RVOS_COMPILED=1 RVOS_HUGE_PAGES=0 XDG_CACHE_HOME=$cache timeout 900 valgrind --tool=cachegrind --cache-sim=no \
  --trace-children=yes --smc-check=all-non-file --cachegrind-out-file=/dev/null \
  node --predictable bin/rvos.js "$@" 2>&1 | grep -E "I +refs|checksum|rror" | sed 's/==[0-9]*== //'
