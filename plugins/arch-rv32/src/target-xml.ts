/**
 * The GDB target description of an rv32 hart (GDB manual, "Target Descriptions", and its
 * "RISC-V Features"): the standard features org.gnu.gdb.riscv.cpu (x0-x31 under GDB's names,
 * pc), org.gnu.gdb.riscv.csr (every CSR this hart implements, under GDB's names) and
 * org.gnu.gdb.riscv.virtual (priv), laid out as QEMU 7.2 serves them. No FPU feature: the hart
 * is IMAC. Register numbers are the document order with no gaps: x0-x31 = 0-31, pc = 32, the
 * CSRs by ascending CSR number from 33, priv last.
 */
import type { ArchDebug } from '../../../src/core/api.js';
import { CSR_NAMES, csrExists } from './csr.js';

/** GDB's names of x0-x31 (gdb/features/riscv/32bit-cpu.xml: x8 is `fp`) and their types. */
const CORE_REGS: Array<[string, string]> = [
  ['zero', 'int'], ['ra', 'code_ptr'], ['sp', 'data_ptr'], ['gp', 'data_ptr'], ['tp', 'data_ptr'],
  ['t0', 'int'], ['t1', 'int'], ['t2', 'int'], ['fp', 'data_ptr'], ['s1', 'int'],
  ...['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'].map((n): [string, string] => [n, 'int']),
  ...['s2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11'].map((n): [string, string] => [n, 'int']),
  ...['t3', 't4', 't5', 't6'].map((n): [string, string] => [n, 'int']),
];

export const PC_REGNUM = 32;
/** x0-x31 and pc: the `g` packet. */
export const G_REGISTERS = 33;
export const FIRST_CSR_REGNUM = 33;

/** The CSR name GDB knows (binutils' riscv-opc.h, as QEMU's csr_ops names). */
export function csrName(csr: number): string {
  const counter = (base: number, prefix: string, names: string[]): string | undefined => {
    for (const [start, suffix] of [[base, ''], [base + 0x80, 'h']] as const) {
      const i = csr - start;
      if (i >= 0 && i < 32) return `${names[i] || prefix + i}${suffix}`;
    }
    return undefined;
  };
  const named =
    counter(0xc00, 'hpmcounter', ['cycle', 'time', 'instret']) ??
    counter(0xb00, 'mhpmcounter', ['mcycle', '', 'minstret']) ??
    (csr >= 0x323 && csr <= 0x33f ? `mhpmevent${csr - 0x320}` : undefined) ??
    (csr >= 0x3a0 && csr <= 0x3af ? `pmpcfg${csr - 0x3a0}` : undefined) ??
    (csr >= 0x3b0 && csr <= 0x3ef ? `pmpaddr${csr - 0x3b0}` : undefined) ??
    CSR_NAMES[csr];
  return named ?? `csr${csr.toString(16).padStart(3, '0')}`;
}

let csrList: readonly number[] | undefined;

/**
 * The CSRs in the description, in register-number order. Worked out on first use, as the documents below: a run
 * without a debugger needs neither, and making them (a walk over the 4,096 CSR numbers, the names) cost every rv32
 * start about 2-4 ms of cold JavaScript.
 */
export function debugCsrs(): readonly number[] {
  return (csrList ??= Array.from({ length: 4096 }, (_, csr) => csr).filter(csrExists));
}

/** GDB's number of priv, after the CSRs. */
export function privRegnum(): number {
  return FIRST_CSR_REGNUM + debugCsrs().length;
}

const HEADER = '<?xml version="1.0"?>\n<!DOCTYPE feature SYSTEM "gdb-target.dtd">\n';

function feature(name: string, regs: string[]): string {
  return `${HEADER}<feature name="${name}">\n${regs.map((r) => `  ${r}\n`).join('')}</feature>\n`;
}

/** The documents GDB asks for (qXfer:features:read), by name. */
function targetDocuments(): Readonly<Record<string, string>> {
  const cpuXml = feature('org.gnu.gdb.riscv.cpu', [
    ...CORE_REGS.map(([name, type], i) => `<reg name="${name}" bitsize="32" type="${type}"${i === 0 ? ' regnum="0"' : ''}/>`),
    '<reg name="pc" bitsize="32" type="code_ptr"/>',
  ]);
  const csrXml = feature(
    'org.gnu.gdb.riscv.csr',
    debugCsrs().map((csr) => `<reg name="${csrName(csr)}" bitsize="32" type="int" group="csr"/>`),
  );
  const virtualXml = feature('org.gnu.gdb.riscv.virtual', ['<reg name="priv" bitsize="32" type="int" group="system"/>']);
  const targetXml =
    '<?xml version="1.0"?>\n<!DOCTYPE target SYSTEM "gdb-target.dtd">\n<target>\n' +
    '  <architecture>riscv:rv32</architecture>\n' +
    // Bare metal: GDB's default OS ABI (GNU/Linux in Debian's build) makes RISC-V `stepi` a
    // software step that runs a whole system call to pc + 4; an ELF naming no OS ABI (a kernel)
    // takes this one, so `stepi` over `ecall` lands in the trap handler.
    '  <osabi>none</osabi>\n' +
    '  <xi:include href="riscv-32bit-cpu.xml"/>\n' +
    '  <xi:include href="riscv-32bit-csr.xml"/>\n' +
    '  <xi:include href="riscv-32bit-virtual.xml"/>\n' +
    '</target>\n';
  return {
    'target.xml': targetXml,
    'riscv-32bit-cpu.xml': cpuXml,
    'riscv-32bit-csr.xml': csrXml,
    'riscv-32bit-virtual.xml': virtualXml,
  };
}

let documents: Readonly<Record<string, string>> | undefined;

/** `ArchType.debug` of rv32. Z0 kinds: 2 (C.EBREAK) and 4 (EBREAK). */
export const rv32ArchDebug: ArchDebug = {
  get targetXml() {
    return (documents ??= targetDocuments());
  },
  gRegisters: G_REGISTERS,
  breakpointKinds: [2, 4],
};
