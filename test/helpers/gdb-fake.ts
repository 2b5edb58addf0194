import type { ArchDebug, Cpu, CpuContext, CpuDebug, DebugStop, IrqLine, Watchpoint } from '../../src/core/api.js';

/** A tiny target description: 4 general registers and pc, 32-bit. */
export const FAKE_ARCH_DEBUG: ArchDebug = {
  targetXml: {
    'target.xml': '<?xml version="1.0"?><!DOCTYPE target SYSTEM "gdb-target.dtd"><target><architecture>riscv:rv32</architecture><xi:include href="core.xml"/></target>',
    'core.xml': '<feature name="org.gnu.gdb.riscv.cpu"><reg name="x0" bitsize="32"/></feature>',
  },
  gRegisters: 5,
};

/**
 * A scripted CPU with a debugger side: every instruction is 4 bytes and adds 1 to x1; the ones
 * listed in `stores` write the given address (for watchpoints). Virtual addresses
 * 0x80000000.. map to physical 0.. (identity above `mapSize` is unmapped).
 */
export class FakeDebugCpu implements Cpu {
  pcValue = 0x80000000;
  regs = [0, 0, 0, 0];
  retired = 0;
  waiting = false;
  stopped = false;
  maskedRuns = 0;
  private exit = false;
  private budget = 0;
  private breaks = new Set<bigint>();
  private watches: Watchpoint[] = [];
  readonly stores = new Map<number, number>();
  readonly debug: CpuDebug;

  constructor(
    readonly id: number,
    private readonly ctx?: CpuContext,
    readonly mapSize = 0x10000,
  ) {
    const self = this;
    this.debug = {
      readRegister(r) {
        if (r < 4) return le32(self.regs[r]);
        if (r === 4) return le32(self.pcValue);
        if (r === 100) return le32(0xc0ffee); // a "system register" read only with p
        return undefined;
      },
      writeRegister(r, bytes) {
        if (bytes.length !== 4) return false;
        const v = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
        if (r < 4) self.regs[r] = v;
        else if (r === 4) self.pcValue = v;
        else return false;
        return true;
      },
      get pc() {
        return BigInt(self.pcValue);
      },
      translate(vaddr) {
        const off = vaddr - 0x80000000n;
        return off >= 0n && off < BigInt(self.mapSize) ? Number(off) : -1;
      },
      describeTranslation(vaddr) {
        return [`fake walk of 0x${vaddr.toString(16)}`];
      },
      setBreakpoints(addresses) {
        self.breaks = new Set(addresses);
      },
      setWatchpoints(w) {
        self.watches = [...w];
      },
      maskInterrupts: false,
      stop: undefined as DebugStop | undefined,
    };
  }

  get pc(): number {
    return this.pcValue;
  }

  run(budget: number): number {
    this.exit = false;
    this.budget = budget;
    if (this.debug.maskInterrupts) this.maskedRuns++;
    let n = 0;
    while (n < this.budget && !this.exit) {
      if (this.breaks.size > 0 && this.breaks.has(BigInt(this.pcValue))) {
        this.debug.stop = { kind: 'breakpoint', address: BigInt(this.pcValue) };
        break;
      }
      const store = this.stores.get(this.pcValue);
      this.regs[1]++;
      this.pcValue += 4;
      n++;
      if (store === -1) this.ctx?.machine.powerOff(0, 'fake');
      else if (store !== undefined) {
        const hit = this.watches.find((w) => w.kind !== 'read' && BigInt(store) >= w.address && BigInt(store) < w.address + BigInt(w.length));
        if (hit) {
          this.debug.stop = { kind: hit.kind, address: BigInt(store) };
          break;
        }
      }
    }
    this.retired += n;
    return n;
  }
  requestExit(): void {
    this.exit = true;
  }
  limitRun(steps: number): void {
    this.budget = Math.min(this.budget, steps);
  }
  reset(): void {
    this.pcValue = 0x80000000;
  }
  irqInput(): IrqLine | undefined {
    return undefined;
  }
  getReg(): number {
    return 0;
  }
  setReg(): void {}
  inspect() {
    return [{ name: 'x1', value: this.regs[1], width: 32 as const }];
  }
  privilegeName(): string {
    return 'S';
  }
}

function le32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}
