import type { Cpu } from '../api.js';
import type { GdbTarget } from './target.js';

/** Debugger accesses go page by page: a 4 KiB piece never crosses a translation boundary. */
const PAGE = 4096n;

/**
 * Reads up to `length` bytes at `addr` for GDB's m packet: virtual through the CPU's current
 * translation (`CpuDebug.translate`), or physical in `monitor phys on` mode. Stops at the first
 * unmapped page; returns what was read (empty: the first byte is not readable).
 */
export function readMemory(target: GdbTarget, cpu: Cpu, physical: boolean, addr: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const at = addr + BigInt(done);
    const n = Math.min(length - done, Number(PAGE - (at % PAGE)));
    const pa = physicalOf(cpu, physical, at, false);
    if (pa < 0 || !target.readPhysical(pa, out.subarray(done, done + n))) break;
    done += n;
  }
  return out.slice(0, done);
}

/** Writes `data` at `addr` (M and X packets); false when any page is not writable (earlier pages stay written). */
export function writeMemory(target: GdbTarget, cpu: Cpu, physical: boolean, addr: bigint, data: Uint8Array): boolean {
  let done = 0;
  while (done < data.length) {
    const at = addr + BigInt(done);
    const n = Math.min(data.length - done, Number(PAGE - (at % PAGE)));
    const pa = physicalOf(cpu, physical, at, true);
    if (pa < 0 || !target.writePhysical(pa, data.subarray(done, done + n))) return false;
    done += n;
  }
  return true;
}

function physicalOf(cpu: Cpu, physical: boolean, addr: bigint, write: boolean): number {
  if (physical) return addr <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(addr) : -1;
  return cpu.debug ? cpu.debug.translate(addr, write) : -1;
}
