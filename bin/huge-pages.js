// Huge pages for guest RAM in `rvos run` (bin/rvos.js). A guest that touches all its RAM (the virt teaching kernel
// links every free page into a list) pays a host page fault per 4 KiB page: 32768 faults for virt's 128 MiB, the
// better part of its cold boot. glibc asks Linux for transparent huge pages for large allocations, guest RAM among
// them, with GLIBC_TUNABLES=glibc.malloc.hugetlb=1, as QEMU does for its guest RAM (MADV_HUGEPAGE); a tunable is read
// when a process starts only, and Node cannot madvise, so rvos runs the command again in a child process with it:
// a second Node start (~0.2 s on the 2-core VM), worth it only for a guest that touches much RAM. rvos learns which
// do: a run whose guest RAM resident passes GUEST_RAM_TOUCHED_BYTES records its command line (its arguments less
// --drive values, which are often copies; not the folder: the same command from another folder mostly runs the same
// guest) in ${XDG_CACHE_HOME:-~/.cache}/rvos/huge-pages-guest-ram.json, and the next runs of that command line take
// the second start. Guest RAM, not the process: a Linux boot's resident memory passes 160 MB with translations (V8's
// heap and code, ~1,400 mappings) while its guest touched 5-22 MiB of RAM, and the second start would cost it its wasm
// regions too (bus.ts wasmRamWanted): i386 Linux to /init 3.0 vs 3.7 s, arm64 1.85 vs 2.17 s; the virt OS, which
// touches all its 128 MiB, boots to its prompt in 0.69 s with huge pages, 0.80 s without (medians of 6 pairs).
// Linux with glibc and THP "madvise" (the usual default) only; RVOS_HUGE_PAGES=0 turns it off, and a GLIBC_TUNABLES
// naming the tunable is left as it is. Any failure to read or write the file costs the huge pages, never the run.
'use strict';
const { closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync } = require('node:fs');
const { homedir } = require('node:os');
const { join } = require('node:path');

const TUNABLE = 'glibc.malloc.hugetlb=1';
/** Resident memory (Node's own is ~70-90 MB) from which a run may have touched much guest RAM: pagemap tells. */
const RSS_WORTH_A_LOOK = 160 * 1024 * 1024;
/** Resident memory more than at the last look that is worth another look (the guest may touch more later). */
const RSS_STEP = 32 * 1024 * 1024;
/**
 * Guest RAM resident (the largest single mapping's resident memory: guest RAM is one mapping, a wasm memory or a
 * malloc'd ArrayBuffer; V8's heap and code are many small ones) from which a run is worth a second Node start next
 * time: 64 MiB is 16384 host page faults, ~0.15-0.25 s on the 2-core VM, about what the second start costs.
 */
const GUEST_RAM_TOUCHED_BYTES = 64 * 1024 * 1024;
/** Command lines the record file keeps (the latest). */
const MAX_RECORDS = 64;

/** The record file (huge-pages.json held the command lines of an earlier rule, Linux boots among them: not read). */
function recordFile(env = process.env) {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'rvos', 'huge-pages-guest-ram.json');
}

/** What identifies a run's command line in the record file: `args` less `--drive` values. */
function commandKey(args) {
  const kept = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--drive') i++;
    else if (!args[i].startsWith('--drive=')) kept.push(args[i]);
  }
  return JSON.stringify(kept);
}

function readRecords(env) {
  try {
    const records = JSON.parse(readFileSync(recordFile(env), 'utf8'));
    return Array.isArray(records) ? records : [];
  } catch {
    return [];
  }
}

/** Whether `args` is a `rvos run` that may ask for huge pages (none asked for yet, not turned off). */
function hugePagesWanted(args, env = process.env) {
  if (process.platform !== 'linux' || args[0] !== 'run' || env.RVOS_HUGE_PAGES === '0') return false;
  if (args.includes('--help') || args.includes('-h')) return false;
  return !env.GLIBC_TUNABLES?.includes('glibc.malloc.hugetlb');
}

/** Whether the host and environment let glibc give `rvos run` huge pages, with none asked for yet. */
function hugePagesPossible(args, env = process.env) {
  return hugePagesWanted(args, env) && hugePagesOnRequest() && glibcNode();
}

/** Whether Linux gives transparent huge pages to memory that asks for them only ("madvise"). */
function hugePagesOnRequest() {
  try {
    return readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'latin1').includes('[madvise]');
  } catch {
    return false;
  }
}

/** Whether this Node runs on glibc (its ELF interpreter, in the executable's first page): musl has no tunables. */
function glibcNode() {
  try {
    const fd = openSync(process.execPath, 'r');
    const head = Buffer.alloc(4096);
    readSync(fd, head, 0, head.length, 0);
    closeSync(fd);
    return head.includes('/ld-linux');
  } catch {
    return false;
  }
}

/**
 * `rvos run` (`args`) whose command line touched much RAM before: runs it in a child process with huge pages and
 * returns true (this process then waits for it and ends as it does; `fallback` runs the command here if no child
 * starts). Else returns false, after arranging for this run to be recorded if it touches much RAM.
 */
function runWithHugePages(args, fallback) {
  // The host checks (~1-2 ms: reading sysfs) only where they decide something: a recorded command line here, else
  // once its run has touched much RAM.
  if (!hugePagesWanted(args)) return false;
  const key = commandKey(args);
  if (!readRecords().includes(key)) {
    recordIfRamTouched(key);
    return false;
  }
  if (!hugePagesOnRequest() || !glibcNode()) return false;
  const { spawn } = require('node:child_process');
  const tunables = process.env.GLIBC_TUNABLES;
  const env = { ...process.env, GLIBC_TUNABLES: tunables ? `${tunables}:${TUNABLE}` : TUNABLE, RVOS_PARENT_PIPE: '3' };
  if (process.env.RVOS_STARTUP_TRACE) env.RVOS_PARENT_ORIGIN = String(performance.timeOrigin);
  // fd 3: a pipe the child watches, to end when this process is killed (it would otherwise run on, orphaned).
  const child = spawn(process.execPath, [...process.execArgv, join(__dirname, 'rvos.js'), ...args], { stdio: ['inherit', 'inherit', 'inherit', 'pipe'], env });
  child.on('error', fallback);
  // Signals go on to the child (a terminal's Ctrl-C reaches both: the default action ends it at the first); this
  // process ends when it does, with its exit code or signal.
  const signals = ['SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGTERM'];
  const pass = (sig) => child.kill(sig);
  for (const sig of signals) process.on(sig, pass);
  child.on('exit', (code, signal) => {
    for (const sig of signals) process.off(sig, pass);
    if (signal) process.kill(process.pid, signal);
    else process.exit(code);
  });
  return true;
}

/**
 * Records `key` once this process' guest RAM resident passes GUEST_RAM_TOUCHED_BYTES: looked at as the machine
 * yields to the event loop, in the run's first minute (a boot), so that a run killed at its prompt is recorded too,
 * and as it exits (the virt OS told to shut down at its prompt ends ~0.1 s after its RAM is touched). The resident
 * memory is cheap to read; the guest RAM's (a few ms) is looked at only once the resident memory is large, then
 * again after RSS_STEP more.
 */
function recordIfRamTouched(key) {
  let checks = 3000;
  let look = RSS_WORTH_A_LOOK;
  const lookNow = () => {
    const rss = process.memoryUsage.rss();
    if (checks <= 0 || rss < look) return;
    look = rss + RSS_STEP;
    const resident = largestMappingResident();
    // Where Linux does not tell, the resident memory alone decides.
    if (resident !== undefined && resident < GUEST_RAM_TOUCHED_BYTES) return;
    checks = 0;
    record(key);
  };
  const timer = setInterval(() => {
    if (--checks <= 0) clearInterval(timer);
    lookNow();
  }, 20);
  timer.unref();
  process.on('exit', lookNow);
}

/**
 * The most resident memory of one large mapping, in bytes: of the read-write mappings of at least
 * GUEST_RAM_TOUCHED_BYTES in /proc/self/maps (guest RAM is one: a wasm memory, or a malloc'd ArrayBuffer; V8's heap
 * and code are many small ones), the most pages present in /proc/self/pagemap (bit 63 of each page's 8 bytes,
 * readable without privileges; /proc/self/smaps says the same but walks all ~1,400 mappings of a Linux boot: 10-50
 * ms). Undefined when Linux does not tell.
 */
function largestMappingResident() {
  let fd;
  try {
    const maps = readFileSync('/proc/self/maps', 'latin1');
    fd = openSync('/proc/self/pagemap', 'r');
    return largestResident(maps, (start, pages) => {
      const entries = Buffer.allocUnsafe(pages * 8);
      const read = readSync(fd, entries, 0, entries.length, (start / 4096) * 8);
      let present = 0;
      for (let i = 7; i < read; i += 8) if (entries[i] & 0x80) present++;
      return present;
    });
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** largestMappingResident's choice in `maps` (/proc/PID/maps): `presentPages(start, pages)` counts a mapping's. */
function largestResident(maps, presentPages) {
  let largest = 0;
  for (const m of maps.matchAll(/^([0-9a-f]+)-([0-9a-f]+) rw/gm)) {
    const start = parseInt(m[1], 16);
    const size = parseInt(m[2], 16) - start;
    if (size >= GUEST_RAM_TOUCHED_BYTES) largest = Math.max(largest, presentPages(start, size / 4096) * 4096);
  }
  return largest;
}

/** Adds `key` to the record file (the latest MAX_RECORDS kept), where the host gives huge pages on request. */
function record(key) {
  if (!hugePagesOnRequest() || !glibcNode()) return;
  const records = readRecords().filter((k) => k !== key);
  records.push(key);
  const file = recordFile();
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(`${file}.${process.pid}`, JSON.stringify(records.slice(-MAX_RECORDS)) + '\n');
    renameSync(`${file}.${process.pid}`, file);
  } catch {
    // a read-only home: no huge pages next time
  }
}

/** In the child of runWithHugePages: ends (as if sent SIGTERM) when the parent is gone and its pipe closes. */
function followParent() {
  const fd = Number(process.env.RVOS_PARENT_PIPE);
  delete process.env.RVOS_PARENT_PIPE;
  delete process.env.RVOS_PARENT_ORIGIN;
  const { Socket } = require('node:net');
  const pipe = new Socket({ fd, readable: true, writable: false });
  const end = () => process.kill(process.pid, 'SIGTERM');
  pipe.on('end', end);
  pipe.on('error', end);
  pipe.resume();
  pipe.unref();
}

module.exports = { TUNABLE, GUEST_RAM_TOUCHED_BYTES, commandKey, largestMappingResident, largestResident, hugePagesPossible, recordFile, runWithHugePages, followParent };
