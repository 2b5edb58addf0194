/**
 * The GDB target description of an rvos i386 CPU (GDB manual, "Target Descriptions"): GDB's own
 * org.gnu.gdb.i386.core feature (the register names and types of GDB's features/i386/32bit-core.xml,
 * so GDB knows eip/esp, the i386 ABI and the x87 stack), then a system feature of rvos's own with
 * the segment caches, control registers and descriptor-table registers. No SSE feature: the CPU has
 * no SSE (CPUID leaf 1 says so), and GDB's i386 support accepts a description without it.
 * Register numbers (GDB's regnums, `CpuDebug.readRegister`) follow the order of the documents.
 */

/** Regnums of the core feature (GDB's i386 numbering). */
export const REG_EAX = 0;
export const REG_EIP = 8;
export const REG_EFLAGS = 9;
/** cs ss ds es fs gs: GDB's order, not the CPU's segment indices. */
export const REG_CS = 10;
export const REG_ST0 = 16;
/** fctrl fstat ftag fiseg fioff foseg fooff fop. */
export const REG_FCTRL = 24;
/** The core feature: the registers of GDB's `g` packet. */
export const CORE_REGISTERS = 32;

/** The system feature's registers, from regnum CORE_REGISTERS on, all 32 bits. */
export const SYSTEM_REGISTERS = [
  'cs_base', 'ss_base', 'ds_base', 'es_base', 'fs_base', 'gs_base',
  'cs_limit', 'ss_limit', 'ds_limit', 'es_limit', 'fs_limit', 'gs_limit',
  'cr0', 'cr2', 'cr3', 'cr4',
  'gdtr_base', 'gdtr_limit', 'idtr_base', 'idtr_limit',
  'tr', 'tr_base', 'tr_limit', 'ldtr', 'ldtr_base', 'ldtr_limit',
] as const;
export type SystemRegister = (typeof SYSTEM_REGISTERS)[number];

const EFLAGS_FIELDS: Array<[string, number]> = [
  ['CF', 0], ['', 1], ['PF', 2], ['AF', 4], ['ZF', 6], ['SF', 7], ['TF', 8], ['IF', 9], ['DF', 10], ['OF', 11],
  ['NT', 14], ['RF', 16], ['VM', 17], ['AC', 18], ['VIF', 19], ['VIP', 20], ['ID', 21],
];

const reg = (name: string, bits: number, type: string, group?: string): string =>
  `  <reg name="${name}" bitsize="${bits}" type="${type}"${group ? ` group="${group}"` : ''}/>`;

const CORE_XML = [
  '<?xml version="1.0"?>',
  '<!DOCTYPE feature SYSTEM "gdb-target.dtd">',
  '<feature name="org.gnu.gdb.i386.core">',
  '  <flags id="i386_eflags" size="4">',
  ...EFLAGS_FIELDS.map(([name, bit]) => `    <field name="${name}" start="${bit}" end="${bit}"/>`),
  '  </flags>',
  ...['eax', 'ecx', 'edx', 'ebx'].map((r) => reg(r, 32, 'int32')),
  reg('esp', 32, 'data_ptr'), reg('ebp', 32, 'data_ptr'),
  reg('esi', 32, 'int32'), reg('edi', 32, 'int32'),
  reg('eip', 32, 'code_ptr'), reg('eflags', 32, 'i386_eflags'),
  ...['cs', 'ss', 'ds', 'es', 'fs', 'gs'].map((r) => reg(r, 32, 'int32')),
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => reg(`st${i}`, 80, 'i387_ext')),
  ...['fctrl', 'fstat', 'ftag', 'fiseg', 'fioff', 'foseg', 'fooff', 'fop'].map((r) => reg(r, 32, 'int', 'float')),
  '</feature>',
  '',
].join('\n');

const SYSTEM_XML = [
  '<?xml version="1.0"?>',
  '<!DOCTYPE feature SYSTEM "gdb-target.dtd">',
  '<feature name="org.rvos.i386.sys">',
  ...SYSTEM_REGISTERS.map((r) => reg(r, 32, r.endsWith('_base') ? 'data_ptr' : 'uint32', 'system')),
  '</feature>',
  '',
].join('\n');

const TARGET_XML = [
  '<?xml version="1.0"?>',
  '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
  '<target version="1.0">',
  '  <architecture>i386</architecture>',
  '  <xi:include href="i386-core.xml"/>',
  '  <xi:include href="rvos-i386-sys.xml"/>',
  '</target>',
  '',
].join('\n');

/** Document name to XML text, as `ArchDebug.targetXml`. */
export const I386_TARGET_XML: Readonly<Record<string, string>> = {
  'target.xml': TARGET_XML,
  'i386-core.xml': CORE_XML,
  'rvos-i386-sys.xml': SYSTEM_XML,
};
