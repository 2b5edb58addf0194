/**
 * The GDB target description of an AArch64 core (GDB's "Target Descriptions" appendix): GDB's own
 * features org.gnu.gdb.aarch64.core (x0-x30, sp, pc, cpsr as GDB 13's aarch64-core.xml) and
 * org.gnu.gdb.aarch64.fpu (v0-v31 as the 128-bit `aarch64v` union, fpsr, fpcr, as its
 * aarch64-fpu.xml), so GDB knows the pc, the sp and the ABI; then the system registers in a
 * feature of QEMU's name (org.qemu.gdb.aarch64.sysregs), which GDB shows as it shows any unknown
 * feature's registers. Register numbers follow the order: 0-30 x0-x30, 31 sp, 32 pc, 33 cpsr,
 * 34-65 v0-v31, 66 fpsr, 67 fpcr, 68... the system registers (debug.ts).
 */

/** Registers of the `g` packet: the core feature (QEMU's aarch64 `g` holds these 34 too). */
export const CORE_REGISTERS = 34;
export const REG_SP_NUM = 31;
export const REG_PC_NUM = 32;
export const REG_CPSR_NUM = 33;
export const REG_V0_NUM = 34;
export const REG_FPSR_NUM = 66;
export const REG_FPCR_NUM = 67;
export const REG_SYSREG0_NUM = 68;

const CORE_XML = `<?xml version="1.0"?>
<!DOCTYPE feature SYSTEM "gdb-target.dtd">
<feature name="org.gnu.gdb.aarch64.core">
${Array.from({ length: 31 }, (_, i) => `  <reg name="x${i}" bitsize="64"/>`).join('\n')}
  <reg name="sp" bitsize="64" type="data_ptr"/>
  <reg name="pc" bitsize="64" type="code_ptr"/>
  <flags id="cpsr_flags" size="4">
    <field name="SP" start="0" end="0"/>
    <field name="" start="1" end="1"/>
    <field name="EL" start="2" end="3"/>
    <field name="nRW" start="4" end="4"/>
    <field name="" start="5" end="5"/>
    <field name="F" start="6" end="6"/>
    <field name="I" start="7" end="7"/>
    <field name="A" start="8" end="8"/>
    <field name="D" start="9" end="9"/>
    <field name="IL" start="20" end="20"/>
    <field name="SS" start="21" end="21"/>
    <field name="V" start="28" end="28"/>
    <field name="C" start="29" end="29"/>
    <field name="Z" start="30" end="30"/>
    <field name="N" start="31" end="31"/>
  </flags>
  <reg name="cpsr" bitsize="32" type="cpsr_flags"/>
</feature>
`;

const FPU_XML = `<?xml version="1.0"?>
<!DOCTYPE feature SYSTEM "gdb-target.dtd">
<feature name="org.gnu.gdb.aarch64.fpu">
  <vector id="v2d" type="ieee_double" count="2"/>
  <vector id="v2u" type="uint64" count="2"/>
  <vector id="v2i" type="int64" count="2"/>
  <vector id="v4f" type="ieee_single" count="4"/>
  <vector id="v4u" type="uint32" count="4"/>
  <vector id="v4i" type="int32" count="4"/>
  <vector id="v8f" type="ieee_half" count="8"/>
  <vector id="v8u" type="uint16" count="8"/>
  <vector id="v8i" type="int16" count="8"/>
  <vector id="v16u" type="uint8" count="16"/>
  <vector id="v16i" type="int8" count="16"/>
  <vector id="v1u" type="uint128" count="1"/>
  <vector id="v1i" type="int128" count="1"/>
  <union id="vnd">
    <field name="f" type="v2d"/>
    <field name="u" type="v2u"/>
    <field name="s" type="v2i"/>
  </union>
  <union id="vns">
    <field name="f" type="v4f"/>
    <field name="u" type="v4u"/>
    <field name="s" type="v4i"/>
  </union>
  <union id="vnh">
    <field name="f" type="v8f"/>
    <field name="u" type="v8u"/>
    <field name="s" type="v8i"/>
  </union>
  <union id="vnb">
    <field name="u" type="v16u"/>
    <field name="s" type="v16i"/>
  </union>
  <union id="vnq">
    <field name="u" type="v1u"/>
    <field name="s" type="v1i"/>
  </union>
  <union id="aarch64v">
    <field name="d" type="vnd"/>
    <field name="s" type="vns"/>
    <field name="h" type="vnh"/>
    <field name="b" type="vnb"/>
    <field name="q" type="vnq"/>
  </union>
${Array.from({ length: 32 }, (_, i) => `  <reg name="v${i}" bitsize="128" type="aarch64v" regnum="${REG_V0_NUM + i}"/>`).join('\n')}
  <reg name="fpsr" bitsize="32"/>
  <reg name="fpcr" bitsize="32"/>
</feature>
`;

function sysregsXml(names: readonly string[]): string {
  const regs = names.map((name, i) => `  <reg name="${name}" bitsize="64" type="uint64" group="system" regnum="${REG_SYSREG0_NUM + i}"/>`);
  return `<?xml version="1.0"?>
<!DOCTYPE feature SYSTEM "gdb-target.dtd">
<feature name="org.qemu.gdb.aarch64.sysregs">
${regs.join('\n')}
</feature>
`;
}

/** The documents GDB reads with qXfer:features:read: target.xml and the three it includes. */
export function targetDocuments(sysregNames: readonly string[]): Record<string, string> {
  return {
    'target.xml': `<?xml version="1.0"?>
<!DOCTYPE target SYSTEM "gdb-target.dtd">
<target>
  <architecture>aarch64</architecture>
  <xi:include href="aarch64-core.xml"/>
  <xi:include href="aarch64-fpu.xml"/>
  <xi:include href="aarch64-sysregs.xml"/>
</target>
`,
    'aarch64-core.xml': CORE_XML,
    'aarch64-fpu.xml': FPU_XML,
    'aarch64-sysregs.xml': sysregsXml(sysregNames),
  };
}
