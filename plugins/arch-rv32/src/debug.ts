/**
 * The debugger's side of an rv32 hart (`Cpu.debug`, src/core/api.ts `CpuDebug`): registers in
 * the numbering of the target description (target-xml.ts), a side-effect-free Sv32 walk, and
 * exact breakpoints and watchpoints.
 *
 * Cost while nothing is set: none per instruction. The setters compute `cpu.checkedRun`, which
 * run() reads once per call to pick `runChecked` below: one instruction per interpreter call
 * (so no compiled block runs past a breakpoint), the breakpoint test before each. Watched
 * virtual pages never enter the data TLBs (mmu.ts asks `watchesPage`), so every access to them
 * takes the slow paths of memory.ts, which ask `watchHit` once the access is known not to fault.
 *
 * Watchpoints stop *before* the access, with nothing done and pc at the instruction, although
 * src/core/api.ts says RISC-V stops after: GDB 13 declares RISC-V watchpoints non-steppable
 * (gdbarch_have_nonsteppable_watchpoint), so on a watchpoint stop it removes them and steps the
 * instruction itself, and QEMU 7.2 (gdb_stop_before_watchpoint for riscv) reports the stop with
 * pc at the instruction and memory unchanged. Stopping after would make GDB step one
 * instruction too far.
 */
import type { CpuDebug, DebugStop, Watchpoint, WatchKind } from '../../../src/core/api.js';
import type { Rv32Cpu } from './cpu.js';
import { PRV_M, PRV_S, PTE_A, PTE_D, PTE_G, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X, SATP_MODE, SATP_PPN } from './constants.js';
import { csrRead, csrWrite } from './csr.js';
import { execute } from './execute.js';
import { debugCsrs, FIRST_CSR_REGNUM, PC_REGNUM, privRegnum } from './target-xml.js';

const TWO32 = 4294967296;

interface Watch {
  /** Virtual byte range [start, end), as doubles (end may reach 2^32). */
  start: number;
  end: number;
  kind: WatchKind;
}

export class Rv32Debug implements CpuDebug {
  stop: DebugStop | undefined = undefined;
  /** Breakpoint addresses (unsigned 32-bit). */
  readonly breakpoints = new Set<number>();
  private watches: Watch[] = [];
  /** Whether any watchpoint is set: the slow memory paths report accesses only then. */
  watching = false;
  private masked = false;
  /** The watchpoint the instruction in progress hit and was abandoned for (null: none), and the address to report. */
  hitKind: WatchKind | null = null;
  hitAddress = 0;

  constructor(private readonly cpu: Rv32Cpu) {}

  get pc(): bigint {
    return BigInt(this.cpu.pc >>> 0);
  }

  get maskInterrupts(): boolean {
    return this.masked;
  }

  set maskInterrupts(value: boolean) {
    this.masked = value;
    this.update();
  }

  // ------------------------------------------------------------------ registers

  readRegister(regnum: number): Uint8Array | undefined {
    const v = this.registerValue(regnum);
    if (v === undefined) return undefined;
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, v >>> 0, true);
    return out;
  }

  writeRegister(regnum: number, bytes: Uint8Array): boolean {
    if (bytes.length !== 4 || !Number.isInteger(regnum) || regnum < 0) return false;
    const v = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
    const cpu = this.cpu;
    if (regnum < 32) cpu.setReg(regnum, v); // x0 stays zero, as GDB expects of a `G` packet
    else if (regnum === PC_REGNUM) cpu.pc = (v & ~1) >>> 0; // IALIGN = 16
    else if (regnum < privRegnum()) {
      const csr = debugCsrs()[regnum - FIRST_CSR_REGNUM];
      if (csr >>> 10 === 3) return false; // read-only CSR (priv spec 2.1)
      csrWrite(cpu, csr, v);
    } else if (regnum === privRegnum()) {
      // QEMU 7.2 (riscv_gdb_set_virtual): the low two bits, the reserved 2 becoming S.
      const p = v & 3;
      cpu.setPrivilege(p === 2 ? PRV_S : p);
    } else return false;
    return true;
  }

  private registerValue(regnum: number): number | undefined {
    const cpu = this.cpu;
    if (!Number.isInteger(regnum) || regnum < 0) return undefined;
    if (regnum < 32) return cpu.getReg(regnum);
    if (regnum === PC_REGNUM) return cpu.pc;
    // csrRead has no side effects (counters and `time` are computed, not advanced).
    if (regnum < privRegnum()) return csrRead(cpu, debugCsrs()[regnum - FIRST_CSR_REGNUM]);
    if (regnum === privRegnum()) return cpu.priv;
    return undefined;
  }

  // ------------------------------------------------------------------ translation

  translate(vaddr: bigint, _write: boolean): number {
    return this.walk(vaddr, null);
  }

  describeTranslation(vaddr: bigint): string[] {
    const lines: string[] = [];
    const pa = this.walk(vaddr, lines);
    lines.push(pa < 0 ? '-> unmapped' : `-> pa ${hex(pa)}`);
    return lines;
  }

  /**
   * Sv32 walk (priv spec 4.3.2) for a debugger access under the data regime of the hart (the
   * effective privilege with MPRV, as QEMU's debug accesses): no A/D update, no TLB fill, no
   * fault. Like QEMU's debug path it checks no PMP and lets the debugger read and write any
   * valid leaf (code pages too, whatever W, U or SUM say); PTEs are read from RAM only (reading
   * a device could have side effects). `trace` receives one line per level.
   */
  private walk(vaddr: bigint, trace: string[] | null): number {
    const cpu = this.cpu;
    if (vaddr < 0n || vaddr >= BigInt(TWO32)) {
      trace?.push(`${vaddr.toString(16)} is not a 32-bit address`);
      return -1;
    }
    const va = Number(vaddr);
    const satp = cpu.satp >>> 0;
    if (cpu.dataPriv === PRV_M) {
      trace?.push('priv M: no translation');
      return va;
    }
    if ((satp & SATP_MODE) === 0) {
      trace?.push(`satp ${hex(satp)}: Bare, no translation`);
      return va;
    }
    let table = (satp & SATP_PPN) * 4096;
    const mprv = cpu.priv === PRV_M ? ` (MPRV: as ${cpu.dataPriv === PRV_S ? 'S' : 'U'})` : '';
    trace?.push(`satp ${hex(satp)}: Sv32, ASID ${(satp >>> 22) & 0x1ff}, root table ${hex(table)}${mprv}`);
    for (let level = 1; level >= 0; level--) {
      const index = level === 1 ? va >>> 22 : (va >>> 12) & 0x3ff;
      const at = table + index * 4;
      const off = at - cpu.ramBase;
      const where = `L${level} ${hex(table)}[${hex(index, 0)}]`;
      if (off < 0 || off + 4 > cpu.ramSize) {
        trace?.push(`${where}: PTE at ${hex(at)} is outside RAM`);
        return -1;
      }
      const pte = cpu.ramI32[off >>> 2] >>> 0;
      const head = `${where} = ${pteHex(pte)}`;
      if ((pte & PTE_V) === 0 || ((pte & PTE_R) === 0 && (pte & PTE_W) !== 0)) {
        trace?.push(`${head} -> invalid`);
        return -1;
      }
      const ppn = pte >>> 10;
      if ((pte & (PTE_R | PTE_X)) === 0) {
        if (level === 0) {
          trace?.push(`${head} -> invalid (pointer at the last level)`);
          return -1;
        }
        table = ppn * 4096;
        trace?.push(`${head} -> table ${hex(table)}`);
        continue;
      }
      if (level === 1 && (ppn & 0x3ff) !== 0) {
        trace?.push(`${head} ${flagNames(pte)} -> misaligned megapage`);
        return -1;
      }
      const base = level === 1 ? (ppn >>> 10) * 4194304 : ppn * 4096;
      trace?.push(`${head} ${flagNames(pte)} -> ${level === 1 ? 'megapage' : 'page'} ${hex(base)}`);
      return base + (level === 1 ? va & 0x3fffff : va & 0xfff);
    }
    return -1;
  }

  // ------------------------------------------------------------------ breakpoints and watchpoints

  setBreakpoints(addresses: readonly bigint[]): void {
    this.breakpoints.clear();
    for (const a of addresses) if (a >= 0n && a < BigInt(TWO32)) this.breakpoints.add(Number(a));
    this.update();
  }

  setWatchpoints(watchpoints: readonly Watchpoint[]): void {
    this.watches = [];
    for (const w of watchpoints) {
      if (w.address < 0n || w.address >= BigInt(TWO32) || !(w.length > 0)) continue;
      const start = Number(w.address);
      this.watches.push({ start, end: Math.min(TWO32, start + w.length), kind: w.kind });
    }
    this.watching = this.watches.length > 0;
    this.hitKind = null;
    // Watched pages must leave the TLBs the interpreter and compiled blocks hit inline.
    this.cpu.flushTlbAll();
    this.update();
  }

  /** Whether virtual page `vpn` holds a watched byte (mmu.ts: keep it out of the data TLBs). */
  watchesPage(vpn: number): boolean {
    const lo = vpn * 4096;
    const hi = lo + 4096;
    for (const w of this.watches) if (w.start < hi && w.end > lo) return true;
    return false;
  }

  /**
   * A data access of `size` bytes at virtual `va` that is about to happen (memory.ts, only while
   * `watching`, after translation succeeded). On a hit the instruction is abandoned with nothing
   * done (`cpu.abandon`) and true returned: the caller returns at once, and runChecked reports
   * the stop.
   */
  watchHit(va: number, size: number, read: boolean, write: boolean): boolean {
    const end = va + size;
    for (const w of this.watches) {
      if (w.start >= end || w.end <= va) continue;
      if (w.kind === 'access' || (w.kind === 'read' && read) || (w.kind === 'write' && write)) {
        this.hitKind = w.kind;
        // GDB looks the address up in its watchpoints' ranges: report one inside (as QEMU does).
        this.hitAddress = Math.max(va, w.start);
        this.cpu.abandon();
        return true;
      }
    }
    return false;
  }

  private update(): void {
    this.cpu.checkedRun = this.breakpoints.size > 0 || this.watching || this.masked;
  }
}

/**
 * run() while a breakpoint, a watchpoint or masked interrupts are set: one instruction per
 * interpreter call. A watchpoint hit abandons its instruction (pc stays on it, not counted).
 */
export function runChecked(cpu: Rv32Cpu, dbg: Rv32Debug): number {
  let done = 0;
  while (done < cpu.budget) {
    if (!cpu.beforeSlice(!dbg.maskInterrupts)) break;
    if (dbg.breakpoints.has(cpu.pc)) {
      dbg.stop = { kind: 'breakpoint', address: BigInt(cpu.pc) };
      break;
    }
    done += execute(cpu, 1);
    if (dbg.hitKind !== null) {
      dbg.stop = { kind: dbg.hitKind, address: BigInt(dbg.hitAddress) };
      dbg.hitKind = null;
      done--;
      break;
    }
    if (cpu.waiting || cpu.exitRequested) break;
  }
  return done;
}

function hex(v: number, digits = 8): string {
  return `0x${v.toString(16).padStart(digits, '0')}`;
}

/** A PTE as 0xhhhh_hhhh, the way the priv spec's figures split it. */
function pteHex(pte: number): string {
  const h = pte.toString(16).padStart(8, '0');
  return `0x${h.slice(0, 4)}_${h.slice(4)}`;
}

function flagNames(pte: number): string {
  const names: Array<[number, string]> = [[PTE_R, 'R'], [PTE_W, 'W'], [PTE_X, 'X'], [PTE_U, 'U'], [PTE_G, 'G'], [PTE_A, 'A'], [PTE_D, 'D']];
  return `(${names.filter(([bit]) => (pte & bit) !== 0).map(([, n]) => n).join(' ')})`;
}
